-- AlterTable
ALTER TABLE "Problem" ADD COLUMN "importKey" TEXT;

-- CreateTable
CREATE TABLE "Person" (
    "wechatId" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "villages" TEXT NOT NULL DEFAULT '[]',
    "grid" TEXT,
    "phone" TEXT,
    "source" TEXT NOT NULL,
    "appointedById" TEXT,
    "appointedByName" TEXT,
    "appointedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "RoleChange" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "wechatId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "before" TEXT,
    "after" TEXT,
    "actorId" TEXT NOT NULL,
    "actorName" TEXT NOT NULL,
    "messageId" TEXT,
    "at" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "GroupRoom" (
    "roomId" TEXT NOT NULL PRIMARY KEY,
    "topic" TEXT NOT NULL,
    "memberCount" INTEGER NOT NULL DEFAULT 0,
    "scope" TEXT,
    "village" TEXT,
    "boundById" TEXT,
    "boundByName" TEXT,
    "boundAt" DATETIME,
    "firstSeenAt" DATETIME NOT NULL,
    "announcedAt" DATETIME,
    "leftAt" DATETIME
);

-- CreateTable
CREATE TABLE "SetupCode" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "code" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "usedAt" DATETIME,
    "usedById" TEXT
);

-- CreateTable
CREATE TABLE "RoleRequest" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "wechatId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "village" TEXT NOT NULL,
    "grid" TEXT,
    "conversationId" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "decidedById" TEXT,
    "decidedByName" TEXT,
    "decidedAt" DATETIME,
    "createdAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ReceivedFile" (
    "messageId" TEXT NOT NULL PRIMARY KEY,
    "conversationId" TEXT NOT NULL,
    "talkerId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "data" BLOB NOT NULL,
    "receivedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PendingImport" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "kind" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "talkerId" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "plan" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "appliedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "RoleChange_wechatId_at_idx" ON "RoleChange"("wechatId", "at");

-- CreateIndex
CREATE INDEX "ReceivedFile_conversationId_talkerId_receivedAt_idx" ON "ReceivedFile"("conversationId", "talkerId", "receivedAt");

-- CreateIndex
CREATE INDEX "PendingImport_conversationId_talkerId_createdAt_idx" ON "PendingImport"("conversationId", "talkerId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Problem_importKey_key" ON "Problem"("importKey");

