-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_InboxMessage" (
    "messageId" TEXT NOT NULL PRIMARY KEY,
    "conversationId" TEXT NOT NULL,
    "inRoom" BOOLEAN NOT NULL DEFAULT false,
    "kind" TEXT NOT NULL DEFAULT 'text',
    "talkerId" TEXT NOT NULL,
    "talkerName" TEXT NOT NULL DEFAULT '',
    "place" TEXT NOT NULL DEFAULT '{}',
    "mentionedSelf" BOOLEAN NOT NULL DEFAULT false,
    "isPhoto" BOOLEAN NOT NULL DEFAULT false,
    "text" TEXT NOT NULL,
    "sentAt" DATETIME NOT NULL,
    "receivedAt" DATETIME NOT NULL,
    "handledAt" DATETIME,
    "outcome" TEXT
);
INSERT INTO "new_InboxMessage" ("conversationId", "handledAt", "isPhoto", "mentionedSelf", "messageId", "outcome", "place", "receivedAt", "sentAt", "talkerId", "talkerName", "text") SELECT "conversationId", "handledAt", "isPhoto", "mentionedSelf", "messageId", "outcome", "place", "receivedAt", "sentAt", "talkerId", "talkerName", "text" FROM "InboxMessage";
DROP TABLE "InboxMessage";
ALTER TABLE "new_InboxMessage" RENAME TO "InboxMessage";
-- Rows from before: where they were said is in "place", what they were in "isPhoto".
UPDATE "InboxMessage" SET "inRoom" = true WHERE "place" NOT LIKE '%"private"%';
UPDATE "InboxMessage" SET "kind" = 'photo' WHERE "isPhoto" = true;
CREATE INDEX "InboxMessage_handledAt_idx" ON "InboxMessage"("handledAt");
CREATE INDEX "InboxMessage_conversationId_talkerId_sentAt_idx" ON "InboxMessage"("conversationId", "talkerId", "sentAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

