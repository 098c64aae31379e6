// Quotes as providers deliver them, and the problem numbers in the bot's own texts. The samples
// follow what puppet-padlocal / puppet-wechat render (plain text) and what WeChat sends as
// appmsg type 57 (XML), with the bot's real reply formats as the quoted texts.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { problemNumbersIn, readQuoteText, readQuoteXml, type Quote } from '../../src/registry/quote.ts'

const SEP = '- - - - - - - - - - - - - - -'
const plain = (name: string, text: string, reply: string) => `「${name}：${text}」\n${SEP}\n${reply}`

describe('readQuoteText', () => {
  const cases: [string, string, Quote][] = [
    ['a registration, answered', plain('整治助手', '📝 已登记 #12 卫华村 东头组：村口垃圾堆', '已完成'),
      { quotedName: '整治助手', quotedText: '📝 已登记 #12 卫华村 东头组：村口垃圾堆', reply: '已完成' }],
    ['a multi-line reminder', plain('整治助手', '⏰ 卫华村整改提醒\n#1 村口垃圾 限期11月30日（今天到期）责任人：王建国\n#3 河道漂浮物 限期12月1日（还剩1天）责任人：李秀英', '#3 今天下午清'),
      { quotedName: '整治助手', quotedText: '⏰ 卫华村整改提醒\n#1 村口垃圾 限期11月30日（今天到期）责任人：王建国\n#3 河道漂浮物 限期12月1日（还剩1天）责任人：李秀英', reply: '#3 今天下午清' }],
    ['an ASCII colon', '「整治助手:✅ #7 卫华村 柴草乱堆：整改中 → 已完成」\n- - - - - - - - - - - - - - -\n撤回',
      { quotedName: '整治助手', quotedText: '✅ #7 卫华村 柴草乱堆：整改中 → 已完成', reply: '撤回' }],
    ['CRLF line ends', '「整治助手：🟨 黄牌督办：#1 卫华村 旱厕破损，已逾期3天，责任人 王建国」\r\n- - - - - - - - - - - - - - -\r\n马上去',
      { quotedName: '整治助手', quotedText: '🟨 黄牌督办：#1 卫华村 旱厕破损，已逾期3天，责任人 王建国', reply: '马上去' }],
    ['a name with spaces', plain('Li Wei 李伟', '↩️ #4 卫华村 污水横流：已完成 → 整改中', '收到'),
      { quotedName: 'Li Wei 李伟', quotedText: '↩️ #4 卫华村 污水横流：已完成 → 整改中', reply: '收到' }],
    ['a name holding 「」', plain('王建国「卫华村支书」', '明天上午检查', '好的👌'),
      { quotedName: '王建国「卫华村支书」', quotedText: '明天上午检查', reply: '好的👌' }],
    ['a shorter separator', '「李秀英：河边又有人倒垃圾了」\n- - - - - -\n/问题 卫华村 河边垃圾',
      { quotedName: '李秀英', quotedText: '河边又有人倒垃圾了', reply: '/问题 卫华村 河边垃圾' }],
    ['a longer separator and trailing spaces', '「李秀英：照片」 \n- - - - - - - - - - - - - - - - - - - - \n#5 整改后 ',
      { quotedName: '李秀英', quotedText: '照片', reply: '#5 整改后' }],
    ['an original cut by WeChat', plain('整治助手', '📋 卫华村台账：共 12 条，未完成 3，已完成 9（已销号 ...', '为什么逾期是0'),
      { quotedName: '整治助手', quotedText: '📋 卫华村台账：共 12 条，未完成 3，已完成 9（已销号 ...', reply: '为什么逾期是0' }],
    ['a multi-line reply with an @-mention', plain('整治助手', '📝 已登记 #2 卫华村：路灯不亮', '@整治助手\u2005/整改 2 已完成\n已换灯泡'),
      { quotedName: '整治助手', quotedText: '📝 已登记 #2 卫华村：路灯不亮', reply: '@整治助手\u2005/整改 2 已完成\n已换灯泡' }],
    ['an original that holds brackets and a dashed line', plain('张三', '「通知」\n- - - -\n周五大扫除', '收到'),
      { quotedName: '张三', quotedText: '「通知」\n- - - -\n周五大扫除', reply: '收到' }],
    ['emoji everywhere', plain('🌾老赵🌾', '👍👍', '🙏 谢谢'),
      { quotedName: '🌾老赵🌾', quotedText: '👍👍', reply: '🙏 谢谢' }],
  ]
  it.each(cases)('reads %s', (_, text, quote) => {
    expect(readQuoteText(text)).toEqual(quote)
  })

  it.each([
    ['an ordinary message', '/整改 12 已完成'],
    ['no separator', '「整治助手：📝 已登记 #12」\n已完成'],
    ['no reply', plain('整治助手', '📝 已登记 #12', '')],
    ['a reply of spaces only', plain('整治助手', '📝 已登记 #12', '   ')],
    ['no closing bracket', `「整治助手：📝 已登记 #12\n${SEP}\n已完成`],
    ['no name', plain('', '📝 已登记 #12', '已完成')],
    ['no colon', `「整治助手 📝 已登记 #12」\n${SEP}\n已完成`],
    ['text before the bracket', `转发：${plain('整治助手', '📝 已登记 #12', '已完成')}`],
    ['a separator of two dashes', `「整治助手：📝 已登记 #12」\n- -\n已完成`],
    ['a separator glued together', `「整治助手：📝 已登记 #12」\n---------------\n已完成`],
    ['an empty text', ''],
  ])('is not fooled by %s', (_, text) => {
    expect(readQuoteText(text)).toBeUndefined()
  })
})

/** An appmsg quote as WeChat sends it (padplus / padlocal issue samples), tabs and all. */
function appmsg(o: { title: string; referType?: string; svrid?: string; fromusr?: string; chatusr?: string; displayname: string; content: string; type?: string }): string {
  return [
    '<?xml version="1.0"?>',
    '<msg>',
    '\t<appmsg appid="" sdkver="0">',
    `\t\t<title>${o.title}</title>`,
    '\t\t<des />',
    '\t\t<action>view</action>',
    `\t\t<type>${o.type ?? '57'}</type>`,
    '\t\t<showtype>0</showtype>',
    '\t\t<content />',
    '\t\t<url />',
    '\t\t<canvasPageItem>',
    '\t\t\t<canvasPageXml><![CDATA[]]></canvasPageXml>',
    '\t\t</canvasPageItem>',
    '\t\t<refermsg>',
    `\t\t\t<type>${o.referType ?? '1'}</type>`,
    o.svrid === undefined ? '' : `\t\t\t<svrid>${o.svrid}</svrid>`,
    `\t\t\t<fromusr>${o.fromusr ?? '24330947507@chatroom'}</fromusr>`,
    o.chatusr === undefined ? '' : `\t\t\t<chatusr>${o.chatusr}</chatusr>`,
    `\t\t\t<displayname>${o.displayname}</displayname>`,
    '\t\t\t<msgsource>&lt;msgsource&gt;\n &lt;silence&gt;1&lt;/silence&gt;\n &lt;membercount&gt;58&lt;/membercount&gt;\n&lt;/msgsource&gt;\n</msgsource>',
    `\t\t\t<content>${o.content}</content>`,
    '\t\t</refermsg>',
    '\t\t<appattach>\n\t\t\t<totallen>0</totallen>\n\t\t\t<attachid />\n\t\t\t<fileext />\n\t\t</appattach>',
    '\t\t<extinfo />',
    '\t</appmsg>',
    '\t<fromusername>wxid_wang01</fromusername>',
    '\t<scene>0</scene>',
    '\t<appinfo>\n\t\t<version>1</version>\n\t\t<appname></appname>\n\t</appinfo>',
    '\t<commenturl></commenturl>',
    '</msg>',
  ].filter(Boolean).join('\n')
}

describe('readQuoteXml', () => {
  const bot = { svrid: '4073350879766311324', chatusr: 'wxid_renju_bot', displayname: '整治助手' }
  const cases: [string, string, Quote][] = [
    ['a registration, answered', appmsg({ ...bot, title: '已完成', content: '📝 已登记 #12 卫华村 东头组：村口垃圾堆' }),
      { quotedName: '整治助手', quotedText: '📝 已登记 #12 卫华村 东头组：村口垃圾堆', quotedMessageId: '4073350879766311324', quotedSenderId: 'wxid_renju_bot', reply: '已完成' }],
    ['a multi-line reminder', appmsg({ ...bot, title: '#3 今天下午清', content: '⏰ 卫华村整改提醒\n#1 村口垃圾 限期11月30日（今天到期）\n#3 河道漂浮物 限期12月1日（还剩1天）\n' }),
      { quotedName: '整治助手', quotedText: '⏰ 卫华村整改提醒\n#1 村口垃圾 限期11月30日（今天到期）\n#3 河道漂浮物 限期12月1日（还剩1天）', quotedMessageId: '4073350879766311324', quotedSenderId: 'wxid_renju_bot', reply: '#3 今天下午清' }],
    ['entities in the texts', appmsg({ ...bot, title: '&lt;撤回&gt; &amp; 重报', content: '✅ #7 &quot;柴草&quot; &#x1F44D; &#20013;' }),
      { quotedName: '整治助手', quotedText: '✅ #7 "柴草" 👍 中', quotedMessageId: '4073350879766311324', quotedSenderId: 'wxid_renju_bot', reply: '<撤回> & 重报' }],
    ['CDATA', appmsg({ ...bot, title: '<![CDATA[撤回]]>', displayname: '<![CDATA[整治助手]]>', content: '<![CDATA[↩️ #4 卫华村 <污水>：已完成 → 整改中]]>' }),
      { quotedName: '整治助手', quotedText: '↩️ #4 卫华村 <污水>：已完成 → 整改中', quotedMessageId: '4073350879766311324', quotedSenderId: 'wxid_renju_bot', reply: '撤回' }],
    ['a name holding 「」 and spaces', appmsg({ svrid: '1', chatusr: 'wxid_wang01', displayname: '王建国「卫华村 支书」', title: '好的👌', content: '明天上午检查' }),
      { quotedName: '王建国「卫华村 支书」', quotedText: '明天上午检查', quotedMessageId: '1', quotedSenderId: 'wxid_wang01', reply: '好的👌' }],
    ['a quote between two people (no chatusr)', appmsg({ svrid: '77', fromusr: 'wxid_li02', displayname: '李秀英', title: '收到', content: '周五大扫除' }),
      { quotedName: '李秀英', quotedText: '周五大扫除', quotedMessageId: '77', quotedSenderId: 'wxid_li02', reply: '收到' }],
    ['no svrid', appmsg({ displayname: '整治助手', title: '撤回', content: '🟨 黄牌督办：#1 卫华村 旱厕破损' }),
      { quotedName: '整治助手', quotedText: '🟨 黄牌督办：#1 卫华村 旱厕破损', reply: '撤回' }],
    ['a quoted picture', appmsg({ ...bot, referType: '3', title: '这张是整改后', content: '&lt;msg&gt;&lt;img aeskey="x" /&gt;&lt;/msg&gt;' }),
      { quotedName: '整治助手', quotedText: '图片', quotedMessageId: '4073350879766311324', quotedSenderId: 'wxid_renju_bot', reply: '这张是整改后' }],
    ['a quoted quote (its title)', appmsg({ ...bot, referType: '49', title: '同意', content: 'wxid_wang01:\n&lt;?xml version="1.0"?&gt;&lt;msg&gt;&lt;appmsg&gt;&lt;title&gt;#3 今天下午清&lt;/title&gt;&lt;type&gt;57&lt;/type&gt;&lt;/appmsg&gt;&lt;/msg&gt;' }),
      { quotedName: '整治助手', quotedText: '#3 今天下午清', quotedMessageId: '4073350879766311324', quotedSenderId: 'wxid_renju_bot', reply: '同意' }],
    ['a sender prefix, as some providers put in groups', `wxid_wang01:\n${appmsg({ ...bot, title: '撤回', content: '📝 已登记 #9 卫华村：乱搭乱建' })}`,
      { quotedName: '整治助手', quotedText: '📝 已登记 #9 卫华村：乱搭乱建', quotedMessageId: '4073350879766311324', quotedSenderId: 'wxid_renju_bot', reply: '撤回' }],
    ['one line, no declaration', `<msg><appmsg appid="" sdkver="0"><title>撤回</title><type>57</type><refermsg><type>1</type><svrid>9</svrid><fromusr>1@chatroom</fromusr><chatusr>wxid_renju_bot</chatusr><displayname>整治助手</displayname><content>✅ #2 卫华村 路灯：整改中 → 已完成</content></refermsg></appmsg></msg>`,
      { quotedName: '整治助手', quotedText: '✅ #2 卫华村 路灯：整改中 → 已完成', quotedMessageId: '9', quotedSenderId: 'wxid_renju_bot', reply: '撤回' }],
    ['whitespace around values and a comment', `  <msg>\n<!-- x --><appmsg>\n <title>\n  撤回\n </title>\n <type> 57 </type>\n <refermsg>\n  <svrid> 42 </svrid>\n  <displayname> 整治助手 </displayname>\n  <content>#5</content>\n </refermsg>\n</appmsg></msg>\n`,
      { quotedName: '整治助手', quotedText: '#5', quotedMessageId: '42', reply: '撤回' }],
  ]
  it.each(cases)('reads %s', (_, xml, quote) => {
    expect(readQuoteXml(xml)).toEqual(quote)
  })

  it.each([
    ['a link (type 5)', appmsg({ ...bot, type: '5', title: '卫华村人居环境整治方案', content: 'x' })],
    ['a file (type 6)', '<msg><appmsg><title>台账.xlsx</title><type>6</type></appmsg></msg>'],
    ['type 57 without refermsg', '<msg><appmsg><title>撤回</title><type>57</type></appmsg></msg>'],
    ['type 57 only inside refermsg', '<msg><appmsg><title>撤回</title><type>5</type><refermsg><type>57</type><displayname>整治助手</displayname><content>x</content></refermsg></appmsg></msg>'],
    ['an empty title', appmsg({ ...bot, title: '', content: '📝 已登记 #12' })],
    ['no displayname', '<msg><appmsg><title>撤回</title><type>57</type><refermsg><type>1</type><content>x</content></refermsg></appmsg></msg>'],
    ['a picture message', '<?xml version="1.0"?>\n<msg>\n\t<img aeskey="abc" length="123" />\n</msg>'],
    ['text before the XML', `请看：${appmsg({ ...bot, title: '撤回', content: 'x' })}`],
    ['an unterminated CDATA', '<msg><appmsg><title><![CDATA[撤回</title><type>57</type></appmsg></msg>'],
    ['a broken tag', '<msg><appmsg><title>撤回</title><type>57</type><refermsg><displayname>整治助手</displayname><content>a < b</content></refermsg></appmsg></msg>'],
    ['plain text', '/整改 12 已完成'],
    ['the plain-text quote shape', plain('整治助手', '📝 已登记 #12', '已完成')],
  ])('is not fooled by %s', (_, xml) => {
    expect(readQuoteXml(xml)).toBeUndefined()
  })
})

describe('problemNumbersIn', () => {
  it.each([
    ['📝 已登记 #12 卫华村 东头组：村口垃圾堆\n⚠️ 疑似与 #5 重复：垃圾堆（整改中）\n📋 卫华村台账：共 12 条，未完成 3', [12, 5]],
    ['✅ #7 卫华村 柴草乱堆：整改中 → 已完成\n📋 卫华村台账：共 7 条，未完成 1，已完成 6（已销号 2），逾期 0，完成率 85.7%', [7]],
    ['⏰ 卫华村整改提醒\n#1 村口垃圾 限期11月30日（今天到期）责任人：王建国\n#3 河道漂浮物 限期12月1日（还剩1天）责任人：李秀英\n请抓紧整改，完成后发 /整改 编号 已完成', [1, 3]],
    ['🟨 黄牌督办：#1 卫华村 旱厕破损，已逾期3天，责任人 王建国\n🟥 红牌督办：#1 卫华村 旱厕破损，已逾期7天，责任人 王建国\n督办问题计入本月考核', [1]],
    ['↩️ #4 卫华村 污水横流：已完成 → 整改中', [4]],
    ['☑️ #10 卫华村 路灯：已销号。', [10]],
    ['📝 已受理随手拍 R3，登记为 #21 卫华村：河边垃圾', [21]],
    ['关联刚登记的问题：#8、#9、#8', [8, 9]],
    ['限期12月1日，共 12 条，R7，3#楼，#0，#012', []],
    ['', []],
  ])('reads %j', (text, numbers) => {
    expect(problemNumbersIn(text)).toEqual(numbers)
  })
})

describe('properties', () => {
  // Strings that look like quotes half the time, so the checks reach past the first test.
  const quoteish = fc.oneof(
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: 'binary' }),
    fc.tuple(fc.string(), fc.string(), fc.string(), fc.constantFrom('\n', '\r\n', '\n- - -\n', `\n${SEP}\n`, '」', '：'))
      .map(([a, b, c, glue]) => `「${a}${glue}${b}」${glue}${c}`),
    fc.tuple(fc.string(), fc.string(), fc.constantFrom('<', '>', '&', '&#x;', '&#99999999;', '<![CDATA[', ']]>', '</refermsg>', '<type>57</type>', '<!--'))
      .map(([a, b, bit]) => `<msg><appmsg><title>${a}</title><type>57</type><refermsg>${bit}<displayname>${b}</displayname>${bit}</refermsg></appmsg></msg>`),
  )

  it('readQuoteText and readQuoteXml never throw', () => {
    fc.assert(fc.property(quoteish, (s) => {
      readQuoteText(s)
      readQuoteXml(s)
    }), { numRuns: 2000 })
  })

  it('readQuoteText reads back what quoteText-like input holds', () => {
    const name = fc.string({ minLength: 1 }).filter((s) => !/[：:\n\r]/.test(s) && s.trim() === s && s.length > 0)
    const text = fc.string().filter((s) => !s.includes('\r'))
    const reply = fc.string({ minLength: 1 }).filter((s) => !s.includes('\r') && s.trim() === s && s.length > 0)
    fc.assert(fc.property(name, text, reply, (n, t, r) => {
      const quote = readQuoteText(plain(n, t, r))
      // An original that holds its own 」 and dashed line may end the quote early; otherwise exact.
      if (!/」\s*\n/.test(t)) expect(quote).toEqual({ quotedName: n, quotedText: t, reply: r })
    }), { numRuns: 1000 })
  })

  it('problemNumbersIn only returns numbers written as #N', () => {
    const text = fc.oneof(
      fc.string(),
      fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('#', '#0', '##', '#1', '9', 'R', '、')), { maxLength: 30 }).map((a) => a.join('')),
    )
    fc.assert(fc.property(text, (s) => {
      const numbers = problemNumbersIn(s)
      expect(new Set(numbers).size).toBe(numbers.length)
      for (const n of numbers) expect(s).toMatch(new RegExp(`#${n}(?![0-9])`))
    }), { numRuns: 2000 })
  })

  it('problemNumbersIn round-trips #N', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), fc.string(), fc.string(), (n, before, after) => {
      expect(problemNumbersIn(`#${n}`)).toEqual([n])
      // Around other text the number is still there (other #N in it may come too).
      const safeAfter = after.replace(/^[0-9]+/, '')
      expect(problemNumbersIn(`${before}#${n}${safeAfter}`)).toContain(n)
    }), { numRuns: 1000 })
  })
})
