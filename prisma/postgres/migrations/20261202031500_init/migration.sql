-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateTable
CREATE TABLE "Problem" (
    "id" SERIAL NOT NULL,
    "village" TEXT NOT NULL,
    "hamlet" TEXT,
    "grid" TEXT,
    "category" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "reporterId" TEXT NOT NULL,
    "reporterName" TEXT NOT NULL,
    "responsibleName" TEXT,
    "deadline" TIMESTAMP(3),
    "status" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "completedAt" TIMESTAMP(3),
    "verifiedAt" TIMESTAMP(3),
    "importKey" TEXT,

    CONSTRAINT "Problem_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProblemChange" (
    "id" SERIAL NOT NULL,
    "problemId" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "fromStatus" TEXT,
    "toStatus" TEXT NOT NULL,
    "note" TEXT,
    "actorId" TEXT NOT NULL,
    "actorName" TEXT NOT NULL,
    "messageId" TEXT,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProblemChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "InboxMessage" (
    "messageId" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "inRoom" BOOLEAN NOT NULL DEFAULT false,
    "kind" TEXT NOT NULL DEFAULT 'text',
    "talkerId" TEXT NOT NULL,
    "talkerName" TEXT NOT NULL DEFAULT '',
    "place" TEXT NOT NULL DEFAULT '{}',
    "mentionedSelf" BOOLEAN NOT NULL DEFAULT false,
    "isPhoto" BOOLEAN NOT NULL DEFAULT false,
    "text" TEXT NOT NULL,
    "sentAt" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "handledAt" TIMESTAMP(3),
    "outcome" TEXT,

    CONSTRAINT "InboxMessage_pkey" PRIMARY KEY ("messageId")
);

-- CreateTable
CREATE TABLE "PendingPrompt" (
    "conversationId" TEXT NOT NULL,
    "talkerId" TEXT NOT NULL,
    "commandName" TEXT NOT NULL,
    "argText" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "answerFirst" BOOLEAN NOT NULL DEFAULT false,
    "confirmOnly" BOOLEAN NOT NULL DEFAULT false,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PendingPrompt_pkey" PRIMARY KEY ("conversationId","talkerId")
);

-- CreateTable
CREATE TABLE "Photo" (
    "id" SERIAL NOT NULL,
    "sha256" TEXT NOT NULL,
    "dhash" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "bytes" INTEGER NOT NULL,
    "takenAt" TIMESTAMP(3),
    "gpsLatitude" DOUBLE PRECISION,
    "gpsLongitude" DOUBLE PRECISION,
    "senderId" TEXT NOT NULL,
    "senderName" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,
    "pairedAt" TIMESTAMP(3),

    CONSTRAINT "Photo_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PhotoHashBand" (
    "photoId" INTEGER NOT NULL,
    "band" INTEGER NOT NULL,
    "value" INTEGER NOT NULL,

    CONSTRAINT "PhotoHashBand_pkey" PRIMARY KEY ("photoId","band")
);

-- CreateTable
CREATE TABLE "PhotoLink" (
    "id" SERIAL NOT NULL,
    "photoId" INTEGER NOT NULL,
    "problemId" INTEGER,
    "reportId" INTEGER,
    "recordId" INTEGER,
    "kind" TEXT NOT NULL,
    "reuseNote" TEXT,
    "linkedById" TEXT NOT NULL,
    "linkedByName" TEXT NOT NULL,
    "messageId" TEXT,
    "linkedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PhotoLink_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PhotoWindow" (
    "conversationId" TEXT NOT NULL,
    "talkerId" TEXT NOT NULL,
    "problemId" INTEGER,
    "reportId" INTEGER,
    "recordId" INTEGER,
    "kind" TEXT NOT NULL,
    "heldStatus" TEXT,
    "heldNote" TEXT,
    "heldMessageId" TEXT,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PhotoWindow_pkey" PRIMARY KEY ("conversationId","talkerId")
);

-- CreateTable
CREATE TABLE "Report" (
    "id" SERIAL NOT NULL,
    "village" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "reporterId" TEXT NOT NULL,
    "reporterName" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "problemId" INTEGER,
    "decisionNote" TEXT,
    "decidedByName" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Report_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OutboxMessage" (
    "id" SERIAL NOT NULL,
    "conversationId" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "mentionIds" TEXT NOT NULL DEFAULT '[]',
    "fileName" TEXT,
    "fileData" BYTEA,
    "priority" INTEGER NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "notBefore" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "sentAt" TIMESTAMP(3),
    "dueAt" TIMESTAMP(3),
    "sentMessageId" TEXT,

    CONSTRAINT "OutboxMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ScheduledPost" (
    "key" TEXT NOT NULL,
    "job" TEXT NOT NULL,
    "period" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ScheduledPost_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "Tip" (
    "id" SERIAL NOT NULL,
    "text" TEXT NOT NULL,
    "addedByName" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Tip_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "TipSent" (
    "id" SERIAL NOT NULL,
    "conversationId" TEXT NOT NULL,
    "tipKey" TEXT NOT NULL,
    "sentAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "TipSent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DeadlineExtension" (
    "id" SERIAL NOT NULL,
    "problemId" INTEGER NOT NULL,
    "days" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "requestedById" TEXT NOT NULL,
    "requestedByName" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "decidedByName" TEXT,
    "decisionNote" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "decidedAt" TIMESTAMP(3),

    CONSTRAINT "DeadlineExtension_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Card" (
    "id" SERIAL NOT NULL,
    "problemId" INTEGER NOT NULL,
    "village" TEXT NOT NULL,
    "color" TEXT NOT NULL,
    "daysOverdue" INTEGER NOT NULL,
    "issuedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Card_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DutyAssignment" (
    "week" TEXT NOT NULL,
    "leaderName" TEXT NOT NULL,
    "leaderId" TEXT,
    "setByName" TEXT NOT NULL,
    "setAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DutyAssignment_pkey" PRIMARY KEY ("week")
);

-- CreateTable
CREATE TABLE "CampaignRecord" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "village" TEXT,
    "subject" TEXT,
    "category" TEXT,
    "note" TEXT,
    "actorId" TEXT NOT NULL,
    "actorName" TEXT NOT NULL,
    "messageId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "undoneAt" TIMESTAMP(3),
    "undoneByName" TEXT,

    CONSTRAINT "CampaignRecord_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RecordVillage" (
    "recordId" INTEGER NOT NULL,
    "village" TEXT NOT NULL,

    CONSTRAINT "RecordVillage_pkey" PRIMARY KEY ("recordId","village")
);

-- CreateTable
CREATE TABLE "RecordFigure" (
    "id" SERIAL NOT NULL,
    "recordId" INTEGER NOT NULL,
    "figure" TEXT NOT NULL,
    "value" DOUBLE PRECISION NOT NULL,
    "detail" TEXT,

    CONSTRAINT "RecordFigure_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RecordCorrection" (
    "id" SERIAL NOT NULL,
    "recordId" INTEGER NOT NULL,
    "before" TEXT NOT NULL,
    "after" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "actorName" TEXT NOT NULL,
    "messageId" TEXT,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RecordCorrection_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RecordProblem" (
    "recordId" INTEGER NOT NULL,
    "problemId" INTEGER NOT NULL,

    CONSTRAINT "RecordProblem_pkey" PRIMARY KEY ("recordId","problemId")
);

-- CreateTable
CREATE TABLE "Person" (
    "wechatId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "villages" TEXT NOT NULL DEFAULT '[]',
    "grid" TEXT,
    "phone" TEXT,
    "source" TEXT NOT NULL,
    "appointedById" TEXT,
    "appointedByName" TEXT,
    "appointedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Person_pkey" PRIMARY KEY ("wechatId")
);

-- CreateTable
CREATE TABLE "RoleChange" (
    "id" SERIAL NOT NULL,
    "wechatId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "before" TEXT,
    "after" TEXT,
    "actorId" TEXT NOT NULL,
    "actorName" TEXT NOT NULL,
    "messageId" TEXT,
    "at" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RoleChange_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "GroupRoom" (
    "roomId" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "memberCount" INTEGER NOT NULL DEFAULT 0,
    "scope" TEXT,
    "village" TEXT,
    "boundById" TEXT,
    "boundByName" TEXT,
    "boundAt" TIMESTAMP(3),
    "firstSeenAt" TIMESTAMP(3) NOT NULL,
    "announcedAt" TIMESTAMP(3),
    "leftAt" TIMESTAMP(3),

    CONSTRAINT "GroupRoom_pkey" PRIMARY KEY ("roomId")
);

-- CreateTable
CREATE TABLE "SetupCode" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "usedAt" TIMESTAMP(3),
    "usedById" TEXT,

    CONSTRAINT "SetupCode_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RoleRequest" (
    "id" SERIAL NOT NULL,
    "wechatId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "village" TEXT NOT NULL,
    "grid" TEXT,
    "conversationId" TEXT NOT NULL,
    "messageId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "decidedById" TEXT,
    "decidedByName" TEXT,
    "decidedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RoleRequest_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ReceivedFile" (
    "messageId" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "talkerId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "data" BYTEA NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ReceivedFile_pkey" PRIMARY KEY ("messageId")
);

-- CreateTable
CREATE TABLE "PendingImport" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "conversationId" TEXT NOT NULL,
    "talkerId" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "plan" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "appliedAt" TIMESTAMP(3),

    CONSTRAINT "PendingImport_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Problem_importKey_key" ON "Problem"("importKey");

-- CreateIndex
CREATE INDEX "Problem_village_status_idx" ON "Problem"("village", "status");

-- CreateIndex
CREATE INDEX "Problem_status_deadline_idx" ON "Problem"("status", "deadline");

-- CreateIndex
CREATE INDEX "ProblemChange_problemId_at_idx" ON "ProblemChange"("problemId", "at");

-- CreateIndex
CREATE INDEX "InboxMessage_handledAt_idx" ON "InboxMessage"("handledAt");

-- CreateIndex
CREATE INDEX "InboxMessage_conversationId_talkerId_sentAt_idx" ON "InboxMessage"("conversationId", "talkerId", "sentAt");

-- CreateIndex
CREATE INDEX "Photo_conversationId_senderId_receivedAt_idx" ON "Photo"("conversationId", "senderId", "receivedAt");

-- CreateIndex
CREATE INDEX "Photo_sha256_idx" ON "Photo"("sha256");

-- CreateIndex
CREATE INDEX "PhotoHashBand_band_value_idx" ON "PhotoHashBand"("band", "value");

-- CreateIndex
CREATE INDEX "PhotoLink_problemId_kind_linkedAt_idx" ON "PhotoLink"("problemId", "kind", "linkedAt");

-- CreateIndex
CREATE INDEX "PhotoLink_reportId_idx" ON "PhotoLink"("reportId");

-- CreateIndex
CREATE UNIQUE INDEX "PhotoLink_photoId_problemId_reportId_recordId_kind_key" ON "PhotoLink"("photoId", "problemId", "reportId", "recordId", "kind");

-- CreateIndex
CREATE INDEX "PhotoWindow_expiresAt_idx" ON "PhotoWindow"("expiresAt");

-- CreateIndex
CREATE INDEX "Report_village_status_idx" ON "Report"("village", "status");

-- CreateIndex
CREATE INDEX "Report_problemId_idx" ON "Report"("problemId");

-- CreateIndex
CREATE INDEX "OutboxMessage_status_priority_notBefore_id_idx" ON "OutboxMessage"("status", "priority", "notBefore", "id");

-- CreateIndex
CREATE INDEX "OutboxMessage_sentMessageId_idx" ON "OutboxMessage"("sentMessageId");

-- CreateIndex
CREATE INDEX "ScheduledPost_job_dueAt_idx" ON "ScheduledPost"("job", "dueAt");

-- CreateIndex
CREATE INDEX "TipSent_conversationId_sentAt_idx" ON "TipSent"("conversationId", "sentAt");

-- CreateIndex
CREATE INDEX "DeadlineExtension_problemId_status_idx" ON "DeadlineExtension"("problemId", "status");

-- CreateIndex
CREATE INDEX "Card_village_issuedAt_idx" ON "Card"("village", "issuedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Card_problemId_color_key" ON "Card"("problemId", "color");

-- CreateIndex
CREATE INDEX "CampaignRecord_kind_village_createdAt_idx" ON "CampaignRecord"("kind", "village", "createdAt");

-- CreateIndex
CREATE INDEX "CampaignRecord_actorId_createdAt_idx" ON "CampaignRecord"("actorId", "createdAt");

-- CreateIndex
CREATE INDEX "RecordVillage_village_idx" ON "RecordVillage"("village");

-- CreateIndex
CREATE INDEX "RecordFigure_recordId_idx" ON "RecordFigure"("recordId");

-- CreateIndex
CREATE INDEX "RecordCorrection_recordId_idx" ON "RecordCorrection"("recordId");

-- CreateIndex
CREATE INDEX "RoleChange_wechatId_at_idx" ON "RoleChange"("wechatId", "at");

-- CreateIndex
CREATE INDEX "ReceivedFile_conversationId_talkerId_receivedAt_idx" ON "ReceivedFile"("conversationId", "talkerId", "receivedAt");

-- CreateIndex
CREATE INDEX "PendingImport_conversationId_talkerId_createdAt_idx" ON "PendingImport"("conversationId", "talkerId", "createdAt");

-- AddForeignKey
ALTER TABLE "ProblemChange" ADD CONSTRAINT "ProblemChange_problemId_fkey" FOREIGN KEY ("problemId") REFERENCES "Problem"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PhotoHashBand" ADD CONSTRAINT "PhotoHashBand_photoId_fkey" FOREIGN KEY ("photoId") REFERENCES "Photo"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PhotoLink" ADD CONSTRAINT "PhotoLink_photoId_fkey" FOREIGN KEY ("photoId") REFERENCES "Photo"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecordVillage" ADD CONSTRAINT "RecordVillage_recordId_fkey" FOREIGN KEY ("recordId") REFERENCES "CampaignRecord"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecordFigure" ADD CONSTRAINT "RecordFigure_recordId_fkey" FOREIGN KEY ("recordId") REFERENCES "CampaignRecord"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecordCorrection" ADD CONSTRAINT "RecordCorrection_recordId_fkey" FOREIGN KEY ("recordId") REFERENCES "CampaignRecord"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecordProblem" ADD CONSTRAINT "RecordProblem_recordId_fkey" FOREIGN KEY ("recordId") REFERENCES "CampaignRecord"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

