-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_InboxMessage" (
    "messageId" TEXT NOT NULL PRIMARY KEY,
    "conversationId" TEXT NOT NULL,
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
INSERT INTO "new_InboxMessage" ("conversationId", "handledAt", "messageId", "outcome", "receivedAt", "sentAt", "talkerId", "text") SELECT "conversationId", "handledAt", "messageId", "outcome", "receivedAt", "sentAt", "talkerId", "text" FROM "InboxMessage";
DROP TABLE "InboxMessage";
ALTER TABLE "new_InboxMessage" RENAME TO "InboxMessage";
CREATE INDEX "InboxMessage_handledAt_idx" ON "InboxMessage"("handledAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

