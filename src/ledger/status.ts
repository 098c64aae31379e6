// The ledger's statuses and the moves between them, as the brief describes them.
export const STATUS = {
  todo: '待整改',
  doing: '整改中',
  done: '已完成',
  verified: '已销号',
} as const
export type Status = (typeof STATUS)[keyof typeof STATUS]

export const OPEN_STATUSES: Status[] = [STATUS.todo, STATUS.doing]
export const DONE_STATUSES: Status[] = [STATUS.done, STATUS.verified]

/** What a village may report with /整改. */
export const PROGRESS_STATUSES = [STATUS.doing, STATUS.done] as const
export type ProgressStatus = (typeof PROGRESS_STATUSES)[number]

/** Words people write for a progress status that are close but not the form we take. */
export const PROGRESS_LOOKALIKES: Record<string, ProgressStatus> = {
  完成: STATUS.done,
  完成了: STATUS.done,
  已完成了: STATUS.done,
  整改完成: STATUS.done,
  已整改: STATUS.done,
  整改完毕: STATUS.done,
  完毕: STATUS.done,
  搞定: STATUS.done,
  好了: STATUS.done,
  已处理: STATUS.done,
  正在整改: STATUS.doing,
  在整改: STATUS.doing,
  整改: STATUS.doing,
  处理中: STATUS.doing,
  进行中: STATUS.doing,
}

export const CATEGORIES = ['垃圾', '柴草垛', '畜禽粪便', '路障', '边沟', '庭院', '厕所', '其他'] as const
export type Category = (typeof CATEGORIES)[number]

const CATEGORY_WORDS: [Category, RegExp][] = [
  ['柴草垛', /柴草|草垛|秸秆|柴火/],
  ['畜禽粪便', /粪|畜禽|牲畜|鸡鸭|猪圈|牛圈/],
  ['路障', /路障|占道|堆放.*路中|挡路/],
  ['边沟', /边沟|排水沟|水沟|沟渠/],
  ['厕所', /厕所|旱厕|茅房/],
  ['庭院', /庭院|院内|院子|院落/],
  ['垃圾', /垃圾|杂物|废弃|白色污染|塑料/],
]

/** The category a description is about, from the words in it. */
export function categoryOf(description: string): Category {
  return CATEGORY_WORDS.find(([, words]) => words.test(description))?.[0] ?? '其他'
}

export const SOURCES = ['巡查', '督导', '群众反映', '上级交办'] as const
export type Source = (typeof SOURCES)[number]
