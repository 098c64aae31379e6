-- CreateTable
CREATE TABLE "PhotoConfirmation" (
    "conversationId" TEXT NOT NULL,
    "talkerId" TEXT NOT NULL,
    "batch" TEXT NOT NULL,
    "target" TEXT,
    "messageIds" TEXT NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PhotoConfirmation_pkey" PRIMARY KEY ("conversationId","talkerId","batch")
);

-- CreateIndex
CREATE INDEX "PhotoConfirmation_dueAt_idx" ON "PhotoConfirmation"("dueAt");

