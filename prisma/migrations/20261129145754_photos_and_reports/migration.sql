-- CreateTable
CREATE TABLE "Photo" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "sha256" TEXT NOT NULL,
    "dhash" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "bytes" INTEGER NOT NULL,
    "takenAt" DATETIME,
    "gpsLatitude" REAL,
    "gpsLongitude" REAL,
    "senderId" TEXT NOT NULL,
    "senderName" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PhotoHashBand" (
    "photoId" INTEGER NOT NULL,
    "band" INTEGER NOT NULL,
    "value" INTEGER NOT NULL,

    PRIMARY KEY ("photoId", "band"),
    CONSTRAINT "PhotoHashBand_photoId_fkey" FOREIGN KEY ("photoId") REFERENCES "Photo" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PhotoLink" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "photoId" INTEGER NOT NULL,
    "problemId" INTEGER,
    "reportId" INTEGER,
    "kind" TEXT NOT NULL,
    "reuseNote" TEXT,
    "linkedById" TEXT NOT NULL,
    "linkedByName" TEXT NOT NULL,
    "messageId" TEXT,
    "linkedAt" DATETIME NOT NULL,
    CONSTRAINT "PhotoLink_photoId_fkey" FOREIGN KEY ("photoId") REFERENCES "Photo" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "PhotoWindow" (
    "conversationId" TEXT NOT NULL,
    "talkerId" TEXT NOT NULL,
    "problemId" INTEGER,
    "reportId" INTEGER,
    "kind" TEXT NOT NULL,
    "heldStatus" TEXT,
    "heldNote" TEXT,
    "heldMessageId" TEXT,
    "expiresAt" DATETIME NOT NULL,

    PRIMARY KEY ("conversationId", "talkerId")
);

-- CreateTable
CREATE TABLE "Report" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "village" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "reporterId" TEXT NOT NULL,
    "reporterName" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "problemId" INTEGER,
    "decisionNote" TEXT,
    "decidedByName" TEXT,
    "createdAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Photo_sha256_key" ON "Photo"("sha256");

-- CreateIndex
CREATE INDEX "Photo_conversationId_senderId_receivedAt_idx" ON "Photo"("conversationId", "senderId", "receivedAt");

-- CreateIndex
CREATE INDEX "PhotoHashBand_band_value_idx" ON "PhotoHashBand"("band", "value");

-- CreateIndex
CREATE INDEX "PhotoLink_problemId_kind_linkedAt_idx" ON "PhotoLink"("problemId", "kind", "linkedAt");

-- CreateIndex
CREATE INDEX "PhotoLink_reportId_idx" ON "PhotoLink"("reportId");

-- CreateIndex
CREATE UNIQUE INDEX "PhotoLink_photoId_problemId_reportId_kind_key" ON "PhotoLink"("photoId", "problemId", "reportId", "kind");

-- CreateIndex
CREATE INDEX "PhotoWindow_expiresAt_idx" ON "PhotoWindow"("expiresAt");

-- CreateIndex
CREATE INDEX "Report_village_status_idx" ON "Report"("village", "status");

-- CreateIndex
CREATE INDEX "Report_problemId_idx" ON "Report"("problemId");

