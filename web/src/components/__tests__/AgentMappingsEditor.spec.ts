import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import AgentMappingsEditor from '@/components/AgentMappingsEditor.vue'
import type { AgentPipelineMappings } from '@/api/client'

function editor(modelValue: AgentPipelineMappings) {
  return mount(AgentMappingsEditor, { props: { modelValue, idPrefix: 'm', errors: [] } })
}
const emitted = (wrapper: ReturnType<typeof editor>) =>
  wrapper.emitted('update:modelValue')!.at(-1)![0] as AgentPipelineMappings

describe('AgentMappingsEditor', () => {
  it('sends a display name the user typed', async () => {
    const wrapper = editor({ Ready: [{ slug: 'speckit.plan' }] })
    await wrapper.get('[data-testid="m-name-Ready-0"]').setValue('Spec Kit - Plan')
    expect(emitted(wrapper)).toEqual({ Ready: [{ slug: 'speckit.plan', display_name: 'Spec Kit - Plan' }] })
  })

  it('an emptied display name means "none": the key goes, the agent stays', async () => {
    const wrapper = editor({ Ready: [{ slug: 'speckit.plan', display_name: 'Plan' }, { slug: 'other' }] })
    await wrapper.get('[data-testid="m-name-Ready-0"]').setValue('')
    expect(emitted(wrapper)).toEqual({ Ready: [{ slug: 'speckit.plan' }, { slug: 'other' }] })
  })

  it('editing the slug keeps the display name', async () => {
    const wrapper = editor({ Ready: [{ slug: 'a', display_name: 'Agent A' }] })
    await wrapper.get('[data-testid="m-slug-Ready-0"]').setValue('b')
    expect(emitted(wrapper)).toEqual({ Ready: [{ slug: 'b', display_name: 'Agent A' }] })
  })

  it('leaves other agents exactly as stored, an empty display name included', async () => {
    const wrapper = editor({ Ready: [{ slug: 'a', display_name: '' }, { slug: 'b' }] })
    await wrapper.get('[data-testid="m-slug-Ready-1"]').setValue('c')
    expect(emitted(wrapper)).toEqual({ Ready: [{ slug: 'a', display_name: '' }, { slug: 'c' }] })
  })

  it('shows the stored display name, and an agent without one', () => {
    const wrapper = editor({ Ready: [{ slug: 'a', display_name: 'Agent A' }, { slug: 'b', display_name: null }] })
    expect((wrapper.get('[data-testid="m-name-Ready-0"]').element as HTMLInputElement).value).toBe('Agent A')
    expect((wrapper.get('[data-testid="m-name-Ready-1"]').element as HTMLInputElement).value).toBe('')
    expect((wrapper.get('[data-testid="m-slug-Ready-1"]').element as HTMLInputElement).value).toBe('b')
  })
})
