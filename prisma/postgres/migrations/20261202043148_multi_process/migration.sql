-- AlterTable
ALTER TABLE "InboxMessage" ADD COLUMN     "claimedBy" TEXT,
ADD COLUMN     "claimedUntil" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "SendingLease" (
    "name" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "account" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SendingLease_pkey" PRIMARY KEY ("name")
);

