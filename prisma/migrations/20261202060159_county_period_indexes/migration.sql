-- CreateIndex
CREATE INDEX "Problem_createdAt_idx" ON "Problem"("createdAt");

-- CreateIndex
CREATE INDEX "ProblemChange_at_idx" ON "ProblemChange"("at");

