// What the bot says, as plain types every part may use: a file it sends, and something that
// speaks unprompted (the outbox in production, a recorder in tests).

export interface OutgoingFile {
  name: string
  data: Buffer
}

/** Says something in a conversation unprompted: photo confirmations, reminders, news for a reporter. */
export interface Notifier {
  send(conversationId: string, text: string, mentionIds?: string[], file?: OutgoingFile): Promise<void>
}
