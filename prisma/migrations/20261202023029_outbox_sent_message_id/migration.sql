-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN "sentMessageId" TEXT;

-- CreateIndex
CREATE INDEX "OutboxMessage_sentMessageId_idx" ON "OutboxMessage"("sentMessageId");

