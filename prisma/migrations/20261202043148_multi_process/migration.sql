-- AlterTable
ALTER TABLE "InboxMessage" ADD COLUMN "claimedBy" TEXT;
ALTER TABLE "InboxMessage" ADD COLUMN "claimedUntil" DATETIME;

-- CreateTable
CREATE TABLE "SendingLease" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "account" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL
);

