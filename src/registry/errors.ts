import { UserError } from '../errors.ts'

/** The words could not be read; the registry adds the command's usage to the reply. */
export class ArgumentError extends UserError {}

/**
 * Something is missing: the question is asked, and the sender's next message in the same
 * conversation is read as the rest of the command.
 */
export class NeedMore extends UserError {
  /**
   * @param answerFirst read the answer before the words already given (a problem number
   * asked for after a note was written), instead of after them (the default).
   */
  constructor(
    question: string,
    readonly answerFirst = false,
  ) {
    super(question)
  }
}

/**
 * A word was nearly right ("卫化村"): the sender may answer 是 to go on with `replacement`
 * in its place.
 */
export class Suggestion extends ArgumentError {
  constructor(
    message: string,
    readonly word: string,
    readonly replacement: string,
  ) {
    super(message)
  }
}
