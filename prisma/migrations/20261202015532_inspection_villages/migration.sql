-- CreateTable
CREATE TABLE "RecordVillage" (
    "recordId" INTEGER NOT NULL,
    "village" TEXT NOT NULL,

    PRIMARY KEY ("recordId", "village"),
    CONSTRAINT "RecordVillage_recordId_fkey" FOREIGN KEY ("recordId") REFERENCES "CampaignRecord" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "RecordVillage_village_idx" ON "RecordVillage"("village");


-- Earlier inspections named their villages only in the subject ("卫华村、渔业村").
WITH RECURSIVE "split"("id", "part", "rest") AS (
    SELECT "id", '', "subject" || '、' FROM "CampaignRecord" WHERE "kind" = '巡查' AND "subject" IS NOT NULL
    UNION ALL
    SELECT "id", substr("rest", 1, instr("rest", '、') - 1), substr("rest", instr("rest", '、') + 1) FROM "split" WHERE "rest" <> ''
)
INSERT OR IGNORE INTO "RecordVillage" ("recordId", "village") SELECT "id", "part" FROM "split" WHERE "part" <> '';
