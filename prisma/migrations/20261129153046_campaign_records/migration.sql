-- CreateTable
CREATE TABLE "CampaignRecord" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "kind" TEXT NOT NULL,
    "village" TEXT,
    "subject" TEXT,
    "category" TEXT,
    "note" TEXT,
    "actorId" TEXT NOT NULL,
    "actorName" TEXT NOT NULL,
    "messageId" TEXT,
    "createdAt" DATETIME NOT NULL,
    "undoneAt" DATETIME,
    "undoneByName" TEXT
);

-- CreateTable
CREATE TABLE "RecordFigure" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "recordId" INTEGER NOT NULL,
    "figure" TEXT NOT NULL,
    "value" REAL NOT NULL,
    "detail" TEXT,
    CONSTRAINT "RecordFigure_recordId_fkey" FOREIGN KEY ("recordId") REFERENCES "CampaignRecord" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RecordCorrection" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "recordId" INTEGER NOT NULL,
    "before" TEXT NOT NULL,
    "after" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "actorName" TEXT NOT NULL,
    "messageId" TEXT,
    "at" DATETIME NOT NULL,
    CONSTRAINT "RecordCorrection_recordId_fkey" FOREIGN KEY ("recordId") REFERENCES "CampaignRecord" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RecordProblem" (
    "recordId" INTEGER NOT NULL,
    "problemId" INTEGER NOT NULL,

    PRIMARY KEY ("recordId", "problemId"),
    CONSTRAINT "RecordProblem_recordId_fkey" FOREIGN KEY ("recordId") REFERENCES "CampaignRecord" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "CampaignRecord_kind_village_createdAt_idx" ON "CampaignRecord"("kind", "village", "createdAt");

-- CreateIndex
CREATE INDEX "CampaignRecord_actorId_createdAt_idx" ON "CampaignRecord"("actorId", "createdAt");

-- CreateIndex
CREATE INDEX "RecordFigure_recordId_idx" ON "RecordFigure"("recordId");

-- CreateIndex
CREATE INDEX "RecordCorrection_recordId_idx" ON "RecordCorrection"("recordId");

