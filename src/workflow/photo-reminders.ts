import type { Services } from '../services.ts'

/** Drops expired photo windows; a held 已完成 whose photo never came gets a reminder. */
export async function sweepPhotoWindows({ pairing, notify }: Services): Promise<void> {
  for (const window of await pairing.sweepExpired()) {
    const id = window.target.problemId
    if (!window.held || !id) continue
    await notify.send(window.conversationId, `⏰ #${id} 报已完成，但一直没有收到整改后照片，状态没有改。请发照片后再报一次 /整改 ${id} 已完成。`, [window.talkerId])
  }
}
