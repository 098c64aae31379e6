-- DropIndex
DROP INDEX "PhotoLink_photoId_problemId_reportId_kind_key";

-- AlterTable
ALTER TABLE "PhotoLink" ADD COLUMN "recordId" INTEGER;

-- AlterTable
ALTER TABLE "PhotoWindow" ADD COLUMN "recordId" INTEGER;

-- CreateIndex
CREATE UNIQUE INDEX "PhotoLink_photoId_problemId_reportId_recordId_kind_key" ON "PhotoLink"("photoId", "problemId", "reportId", "recordId", "kind");

