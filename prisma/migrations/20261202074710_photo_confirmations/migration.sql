-- CreateTable
CREATE TABLE "PhotoConfirmation" (
    "conversationId" TEXT NOT NULL,
    "talkerId" TEXT NOT NULL,
    "batch" TEXT NOT NULL,
    "target" TEXT,
    "messageIds" TEXT NOT NULL,
    "dueAt" DATETIME NOT NULL,

    PRIMARY KEY ("conversationId", "talkerId", "batch")
);

-- CreateIndex
CREATE INDEX "PhotoConfirmation_dueAt_idx" ON "PhotoConfirmation"("dueAt");

