-- CreateTable
CREATE TABLE "Problem" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "village" TEXT NOT NULL,
    "hamlet" TEXT,
    "grid" TEXT,
    "category" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "reporterId" TEXT NOT NULL,
    "reporterName" TEXT NOT NULL,
    "responsibleName" TEXT,
    "deadline" DATETIME,
    "status" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "completedAt" DATETIME,
    "verifiedAt" DATETIME
);

-- CreateTable
CREATE TABLE "ProblemChange" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "problemId" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "fromStatus" TEXT,
    "toStatus" TEXT NOT NULL,
    "note" TEXT,
    "actorId" TEXT NOT NULL,
    "actorName" TEXT NOT NULL,
    "messageId" TEXT,
    "at" DATETIME NOT NULL,
    CONSTRAINT "ProblemChange_problemId_fkey" FOREIGN KEY ("problemId") REFERENCES "Problem" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "InboxMessage" (
    "messageId" TEXT NOT NULL PRIMARY KEY,
    "conversationId" TEXT NOT NULL,
    "talkerId" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "sentAt" DATETIME NOT NULL,
    "receivedAt" DATETIME NOT NULL,
    "handledAt" DATETIME,
    "outcome" TEXT
);

-- CreateTable
CREATE TABLE "PendingPrompt" (
    "conversationId" TEXT NOT NULL,
    "talkerId" TEXT NOT NULL,
    "commandName" TEXT NOT NULL,
    "argText" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "answerFirst" BOOLEAN NOT NULL DEFAULT false,
    "expiresAt" DATETIME NOT NULL,

    PRIMARY KEY ("conversationId", "talkerId")
);

-- CreateIndex
CREATE INDEX "Problem_village_status_idx" ON "Problem"("village", "status");

-- CreateIndex
CREATE INDEX "Problem_status_deadline_idx" ON "Problem"("status", "deadline");

-- CreateIndex
CREATE INDEX "ProblemChange_problemId_at_idx" ON "ProblemChange"("problemId", "at");

