import { describe, expect, it } from 'vitest'
import { parseTownshipConfig } from '../src/config/load.ts'
import { exampleConfig } from './support/township.ts'

describe('township config', () => {
  it('loads the example township from the brief', () => {
    const config = exampleConfig()
    expect(config.villages.map((v) => v.name)).toEqual(expect.arrayContaining(['卫华村', '渔业村', '卫明村']))
    expect(config.villages).toHaveLength(6)
    expect(config.villages.flatMap((v) => v.hamlets)).toHaveLength(9)
    expect(config.grids).toHaveLength(31)
    expect(config.groups.filter((g) => g.scope === 'village')).toHaveLength(6)
    for (const role of ['admin', 'supervisor', 'duty', 'village', 'grid', 'resident']) {
      expect(config.people.some((p) => p.role === role)).toBe(true)
    }
  })

  it('names the field and the line of every mistake', () => {
    const yaml = [
      'township:',
      '  name: 测试乡',
      'villages:',
      '  - name: 卫华村',
      'people:',
      '  - name: 张三',
      '    wechatId: wxid_a',
      '    role: boss',
      '  - name: 李四',
      '    wechatId: wxid_b',
      '    role: village',
      '    villages: [卫化村]',
    ].join('\n')
    expect(() => parseTownshipConfig(yaml, 'bad.yaml')).toThrowError(/people\.0\.role（第 8 行）: 无效选项/)
    // Cross-field checks run once every field has the right shape.
    const fixed = yaml.replace('role: boss', 'role: admin')
    expect(() => parseTownshipConfig(fixed, 'bad.yaml')).toThrowError(/people\.1\.villages\.0（第 12 行）: 没有这个村：卫化村/)
  })

  it('reports a group without topic or id, and YAML syntax errors', () => {
    const noTopic = 'township: {name: 乡}\nvillages: [{name: 卫华村}]\ngroups:\n  - scope: township\n'
    expect(() => parseTownshipConfig(noTopic)).toThrowError(/groups\.0（第 4 行）: 群需要 topic/)
    expect(() => parseTownshipConfig('township: [\n')).toThrowError(/YAML 格式错误/)
  })
})
