// Reading WeChat's "quote" (引用) messages and the problem numbers in the bot's own texts, so that
// a reply to a bot message can be tied to the problem it names. Pure: no wechaty, no database.
//
// Providers deliver a quote in one of two shapes (see test/support/puppet-server.ts):
//  - plain text, type Text: `「名字：原文」\n- - - - - - - - - - - - - - -\n回复` (puppet-padlocal,
//    puppet-wechat and others turn the appmsg into this, losing the quoted message's id);
//  - the appmsg XML itself (`<appmsg><type>57</type><refermsg>…`), as type Text or Unknown.

export interface Quote {
  /** Who wrote the quoted message, as WeChat shows the name (displayname). */
  quotedName: string
  /** The quoted message's text as shown (may be cut by WeChat). */
  quotedText: string
  /** The quoted message's server id (appmsg <refermsg><svrid>), when the provider gives it. */
  quotedMessageId?: string
  /** The quoted message's author's WeChat id (<refermsg><chatusr>, or <fromusr> outside groups), when given. */
  quotedSenderId?: string
  /** What the person wrote in reply. */
  reply: string
}

/* -------------------------------------------------------------------------- */
/* Plain text                                                                  */
/* -------------------------------------------------------------------------- */

// WeChat writes 15 "- " pairs; other clients and copies vary, so any run of three or more will do.
const WECHAT_SEPARATOR = /^[ \t]*-(?:[ \t]-){14}[ \t]*$/
const ANY_SEPARATOR = /^[ \t]*-(?:[ \t]+-){2,}[ \t]*$/

/**
 * A quote in the plain-text shape some providers deliver: `「名字：原文」\n- - - - - - - - - - - - - - -\n回复`.
 * Tolerates a full-width or ASCII colon, a name with spaces, an original over several lines, CRLF,
 * and a separator with another count of "- " pairs. Undefined when the text is not a quote.
 */
export function readQuoteText(text: string): Quote | undefined {
  if (typeof text !== 'string') return undefined
  const lines = text.replace(/\r\n?/g, '\n').replace(/^[\s\ufeff]+/, '').split('\n')
  if (!lines[0]?.startsWith('「')) return undefined
  // WeChat's own separator first: an original may hold a shorter dashed line of its own.
  return splitAt(lines, WECHAT_SEPARATOR) ?? splitAt(lines, ANY_SEPARATOR)
}

/** The quote split at the first separator line that follows a closing 」. */
function splitAt(lines: string[], separator: RegExp): Quote | undefined {
  for (let i = 1; i < lines.length - 1; i++) {
    if (!separator.test(lines[i]!)) continue
    const quoted = lines.slice(0, i).join('\n').trimEnd()
    if (!quoted.endsWith('」')) continue
    const inner = quoted.slice(1, -1)
    // The first colon ends the name: names seldom hold one, quoted texts often do ("时间：3点").
    const colon = inner.search(/[：:]/)
    if (colon <= 0) continue
    const quotedName = inner.slice(0, colon).trim()
    const reply = lines.slice(i + 1).join('\n').trim()
    if (!quotedName || !reply) continue
    return { quotedName, quotedText: inner.slice(colon + 1), reply }
  }
  return undefined
}

/* -------------------------------------------------------------------------- */
/* appmsg XML                                                                  */
/* -------------------------------------------------------------------------- */

interface XmlElement {
  name: string
  children: XmlElement[]
  /** The element's own text (entities decoded, CDATA as written), without its children's. */
  text: string
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] !== '#') return ENTITIES[body.toLowerCase()] ?? whole
    const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10)
    const valid = code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
    return valid ? String.fromCodePoint(code) : whole
  })
}

/**
 * Just enough XML for what providers send: elements, text, entities, CDATA, comments, <?xml?>.
 * Forgiving like a browser (a stray close tag is skipped, unclosed elements close at the end),
 * because a quote cut or mangled by a provider is still worth reading. Undefined for a broken tag.
 */
function parseXml(xml: string): XmlElement | undefined {
  const root: XmlElement = { name: '', children: [], text: '' }
  const stack = [root]
  let at = 0
  while (at < xml.length) {
    const open = xml.indexOf('<', at)
    const top = stack[stack.length - 1]!
    if (open < 0) {
      top.text += decodeEntities(xml.slice(at))
      break
    }
    top.text += decodeEntities(xml.slice(at, open))
    const skipTo = (end: string) => {
      const close = xml.indexOf(end, open)
      return close < 0 ? -1 : close + end.length
    }
    if (xml.startsWith('<![CDATA[', open)) {
      const end = xml.indexOf(']]>', open)
      if (end < 0) return undefined
      top.text += xml.slice(open + 9, end)
      at = end + 3
    } else if (xml.startsWith('<!--', open)) {
      at = skipTo('-->')
    } else if (xml.startsWith('<?', open)) {
      at = skipTo('?>')
    } else if (xml.startsWith('<!', open)) {
      at = skipTo('>')
    } else if (xml.startsWith('</', open)) {
      const end = xml.indexOf('>', open)
      if (end < 0) return undefined
      const name = xml.slice(open + 2, end).trim()
      let depth = stack.length - 1
      while (depth > 0 && stack[depth]!.name !== name) depth--
      if (depth > 0) stack.length = depth
      at = end + 1
    } else {
      const tag = /^<([A-Za-z_][\w.:-]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*(\/?)>/.exec(xml.slice(open, open + 4096))
      if (!tag) return undefined
      const element: XmlElement = { name: tag[1]!, children: [], text: '' }
      top.children.push(element)
      if (!tag[3]) stack.push(element)
      at = open + tag[0].length
    }
    if (at < 0) return undefined
  }
  return root
}

const child = (e: XmlElement | undefined, name: string) => e?.children.find((c) => c.name === name)
const textOf = (e: XmlElement | undefined, name: string) => child(e, name)?.text

/** The <appmsg> of a message's XML, under <msg> or (as some providers strip it) on its own. */
function appmsgOf(xml: string): XmlElement | undefined {
  // In groups some providers put the sender first: "wxid_xxx:\n<?xml …".
  const start = xml.indexOf('<')
  if (start < 0 || !/^\s*(?:[^\s<:]+:\s*)?$/.test(xml.slice(0, start))) return undefined
  const doc = parseXml(xml.slice(start))
  return child(child(doc, 'msg'), 'appmsg') ?? child(doc, 'appmsg')
}

// As puppet-padlocal and puppet-wechat show a quoted message that is not text, so both shapes agree.
const QUOTED_KIND: Record<string, string> = { '3': '图片', '34': '语音', '43': '视频', '47': '动画表情', '48': '位置' }

function quotedTextOf(type: string, content: string): string {
  if (type === '1' || type === '') return content
  if (type === '49') return appmsgOf(content)?.children.find((c) => c.name === 'title')?.text.trim() ?? '未知消息'
  return QUOTED_KIND[type] ?? '未知消息'
}

/**
 * A quote in the appmsg XML shape: <msg><appmsg><title>回复</title><type>57</type><refermsg>…</refermsg></appmsg></msg>,
 * possibly with entities, CDATA, whitespace or a leading "wxid_xxx:\n". Undefined for any other
 * XML or type. Never throws.
 */
export function readQuoteXml(xml: string): Quote | undefined {
  try {
    if (typeof xml !== 'string') return undefined
    const appmsg = appmsgOf(xml)
    if (!appmsg || textOf(appmsg, 'type')?.trim() !== '57') return undefined
    const refer = child(appmsg, 'refermsg')
    const reply = textOf(appmsg, 'title')?.trim()
    const quotedName = textOf(refer, 'displayname')?.trim()
    if (!refer || !reply || !quotedName) return undefined
    const quote: Quote = {
      quotedName,
      quotedText: quotedTextOf(textOf(refer, 'type')?.trim() ?? '', (textOf(refer, 'content') ?? '').trimEnd()),
      reply,
    }
    const svrid = textOf(refer, 'svrid')?.trim()
    if (svrid) quote.quotedMessageId = svrid
    // In a group <fromusr> is the group and <chatusr> the author; between two people <fromusr> is the author.
    const fromusr = textOf(refer, 'fromusr')?.trim()
    const sender = textOf(refer, 'chatusr')?.trim() || (fromusr && !fromusr.endsWith('@chatroom') ? fromusr : undefined)
    if (sender) quote.quotedSenderId = sender
    return quote
  } catch {
    return undefined
  }
}

/* -------------------------------------------------------------------------- */
/* Problem numbers                                                             */
/* -------------------------------------------------------------------------- */

/**
 * Problem numbers a bot message names, as it writes them: "#12" (📝 已登记 #12 …, ✅ #12 …, the ⏰
 * reminder's lines, 🟨 黄牌督办：#1 …, ↩️ #3 …). In order, without repeats; the first is the one the
 * message is about ("⚠️ 疑似与 #5 重复" comes after). Only "#N": 随手拍 R7, dates and counts are
 * not problem numbers, nor is "#012" (the bot never writes one).
 */
export function problemNumbersIn(text: string): number[] {
  if (typeof text !== 'string') return []
  const numbers: number[] = []
  for (const match of text.matchAll(/#([1-9][0-9]*)/g)) {
    const n = Number(match[1])
    if (Number.isSafeInteger(n) && !numbers.includes(n)) numbers.push(n)
  }
  return numbers
}
