-- CreateIndex
CREATE INDEX "InboxMessage_conversationId_talkerId_sentAt_idx" ON "InboxMessage"("conversationId", "talkerId", "sentAt");

