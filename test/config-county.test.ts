// The county config: several townships in one YAML, refused with the line when two share a village or a group.
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { loadConfig, parseCountyConfig } from '../src/config/county.ts'

const example = readFileSync('config/county.example.yaml', 'utf8')

describe('a county config', () => {
  it('lists its townships, each a whole township config, the county group kept by the serving one', () => {
    const loaded = loadConfig('config/county.example.yaml')
    expect(loaded.kind).toBe('county')
    if (loaded.kind !== 'county') return
    const { county, townships, host } = loaded.county
    expect(county.name).toBe('示范县')
    expect(townships.map((t) => [t.code, t.config.township.name, t.config.villages.length])).toEqual([['dongxiang', '东乡', 2], ['xixiang', '西乡', 2], ['nanxiang', '南乡', 2]])
    expect(host).toBe('dongxiang')
    // Defaults apply to each township as to a township file.
    expect(townships[1]!.config.policy.defaultDeadlineDays).toBe(7)
    expect(townships[0]!.config.groups.filter((g) => g.scope === 'county').map((g) => g.topic)).toEqual(['示范县人居环境整治工作群'])
    expect(townships[1]!.config.groups.some((g) => g.scope === 'county')).toBe(false)
  })

  it('a plain township YAML is read as before', () => {
    const loaded = loadConfig('config/township.example.yaml')
    expect(loaded.kind).toBe('township')
    if (loaded.kind === 'township') expect(loaded.config.township.name).toBe('示范乡')
  })

  it('refuses a village in two townships, naming the line', () => {
    const text = example.replace('- { name: 西二村, aliases: [西二] }', '- { name: 西二村, aliases: [西二] }\n      - { name: 东二村 }')
    const line = text.split('\n').findIndex((l) => l.includes('- { name: 东二村 }')) + 1
    expect(() => parseCountyConfig(text, 'county.yaml')).toThrow(`townships.1.villages.2（第 ${line} 行）: 「东二村」已属于东乡：一个村只能属于一个乡镇`)
  })

  it('refuses a group in two townships, naming the line', () => {
    const text = example.replace('- { topic: 南一村人居环境群, scope: village, village: 南一村 }', '- { topic: 西一村人居环境群, scope: village, village: 南一村 }')
    const line = text.split('\n').findIndex((l) => l.includes('{ topic: 西一村人居环境群, scope: village, village: 南一村 }')) + 1
    expect(() => parseCountyConfig(text, 'county.yaml')).toThrow(`townships.2.groups.1（第 ${line} 行）: 群「西一村人居环境群」已属于西乡：一个群只能属于一个乡镇`)
  })

  it('refuses the county group used as a township group, a repeated code, and a host that is not there', () => {
    const groupTaken = example.replace('{ topic: 南乡人居环境整治工作群, scope: township }', '{ topic: 示范县人居环境整治工作群, scope: township }')
    expect(() => parseCountyConfig(groupTaken, 'county.yaml')).toThrow(/群「示范县人居环境整治工作群」已属于县级群/)
    expect(() => parseCountyConfig(example.replace('code: nanxiang', 'code: xixiang'), 'county.yaml')).toThrow(/code「xixiang」与第 2 个乡镇重复/)
    expect(() => parseCountyConfig(example.replace('host: dongxiang', 'host: beixiang'), 'county.yaml')).toThrow(/county.host（第 \d+ 行）: 没有 code 为「beixiang」的乡镇/)
    expect(() => parseCountyConfig(example.replace('code: nanxiang', 'code: 南乡'), 'county.yaml')).toThrow(/townships.2.code（第 \d+ 行）: 应为小写字母开头/)
  })

  it('reads a township from its own file, and reports that file’s own mistakes', () => {
    const files: Record<string, string> = { '/c/t/west.yaml': 'township: { name: 西乡 }\nvillages:\n  - { name: 西一村 }\n', '/c/t/bad.yaml': 'township: { name: 南乡 }\nvillages: []\n' }
    const text = 'county: { name: 县 }\ntownships:\n  - { code: xixiang, file: t/west.yaml }\n'
    expect(parseCountyConfig(text, '/c/county.yaml', (p) => files[p]!).townships[0]!.config.villages[0]!.name).toBe('西一村')
    expect(() => parseCountyConfig(text + '  - { code: nanxiang, file: t/bad.yaml }\n', '/c/county.yaml', (p) => files[p]!)).toThrow(/townships.1.file（第 4 行）: \/c\/t\/bad.yaml: 配置有误/)
  })
})
