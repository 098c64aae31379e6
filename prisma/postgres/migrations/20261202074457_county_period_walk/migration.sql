-- DropIndex
DROP INDEX "ProblemChange_problemId_at_idx";

-- DropIndex
DROP INDEX "ProblemChange_at_idx";

-- CreateIndex
CREATE INDEX "Problem_updatedAt_idx" ON "Problem"("updatedAt");

-- CreateIndex
CREATE INDEX "ProblemChange_problemId_at_id_toStatus_idx" ON "ProblemChange"("problemId", "at", "id", "toStatus");

-- CreateIndex
CREATE INDEX "ProblemChange_at_problemId_toStatus_idx" ON "ProblemChange"("at", "problemId", "toStatus");

