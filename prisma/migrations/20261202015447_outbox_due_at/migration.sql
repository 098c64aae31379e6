-- AlterTable
ALTER TABLE "OutboxMessage" ADD COLUMN "dueAt" DATETIME;

