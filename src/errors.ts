/** An expected failure: its Chinese text is shown to the user as written. */
export class UserError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UserError'
  }
}
