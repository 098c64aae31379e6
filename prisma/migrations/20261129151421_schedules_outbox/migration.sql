-- CreateTable
CREATE TABLE "OutboxMessage" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "conversationId" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "mentionIds" TEXT NOT NULL DEFAULT '[]',
    "fileName" TEXT,
    "fileData" BLOB,
    "priority" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "notBefore" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "sentAt" DATETIME
);

-- CreateTable
CREATE TABLE "ScheduledPost" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "job" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "dueAt" DATETIME NOT NULL,
    "status" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Tip" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "text" TEXT NOT NULL,
    "addedByName" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "TipSent" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "conversationId" TEXT NOT NULL,
    "tipKey" TEXT NOT NULL,
    "sentAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "DeadlineExtension" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "problemId" INTEGER NOT NULL,
    "days" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "requestedById" TEXT NOT NULL,
    "requestedByName" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "decidedByName" TEXT,
    "decisionNote" TEXT,
    "createdAt" DATETIME NOT NULL,
    "decidedAt" DATETIME
);

-- CreateTable
CREATE TABLE "Card" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "problemId" INTEGER NOT NULL,
    "village" TEXT NOT NULL,
    "color" TEXT NOT NULL,
    "daysOverdue" INTEGER NOT NULL,
    "issuedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "DutyAssignment" (
    "week" TEXT NOT NULL PRIMARY KEY,
    "leaderName" TEXT NOT NULL,
    "leaderId" TEXT,
    "setByName" TEXT NOT NULL,
    "setAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "OutboxMessage_status_priority_notBefore_id_idx" ON "OutboxMessage"("status", "priority", "notBefore", "id");

-- CreateIndex
CREATE INDEX "ScheduledPost_job_dueAt_idx" ON "ScheduledPost"("job", "dueAt");

-- CreateIndex
CREATE INDEX "TipSent_conversationId_sentAt_idx" ON "TipSent"("conversationId", "sentAt");

-- CreateIndex
CREATE INDEX "DeadlineExtension_problemId_status_idx" ON "DeadlineExtension"("problemId", "status");

-- CreateIndex
CREATE INDEX "Card_village_issuedAt_idx" ON "Card"("village", "issuedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Card_problemId_color_key" ON "Card"("problemId", "color");

