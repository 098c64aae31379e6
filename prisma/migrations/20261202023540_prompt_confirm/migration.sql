-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_PendingPrompt" (
    "conversationId" TEXT NOT NULL,
    "talkerId" TEXT NOT NULL,
    "commandName" TEXT NOT NULL,
    "argText" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "answerFirst" BOOLEAN NOT NULL DEFAULT false,
    "confirmOnly" BOOLEAN NOT NULL DEFAULT false,
    "expiresAt" DATETIME NOT NULL,

    PRIMARY KEY ("conversationId", "talkerId")
);
INSERT INTO "new_PendingPrompt" ("answerFirst", "argText", "commandName", "conversationId", "expiresAt", "question", "talkerId") SELECT "answerFirst", "argText", "commandName", "conversationId", "expiresAt", "question", "talkerId" FROM "PendingPrompt";
DROP TABLE "PendingPrompt";
ALTER TABLE "new_PendingPrompt" RENAME TO "PendingPrompt";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

