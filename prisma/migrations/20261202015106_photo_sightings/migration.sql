-- DropIndex
DROP INDEX "Photo_sha256_key";

-- AlterTable
ALTER TABLE "Photo" ADD COLUMN "pairedAt" DATETIME;

-- CreateIndex
CREATE INDEX "Photo_sha256_idx" ON "Photo"("sha256");


-- Photos already linked were given to something when they were linked.
UPDATE "Photo" SET "pairedAt" = (SELECT MIN("linkedAt") FROM "PhotoLink" WHERE "PhotoLink"."photoId" = "Photo"."id")
WHERE EXISTS (SELECT 1 FROM "PhotoLink" WHERE "PhotoLink"."photoId" = "Photo"."id");
