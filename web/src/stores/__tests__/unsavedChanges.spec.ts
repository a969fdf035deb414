import { describe, expect, it, vi } from 'vitest'
import { LEAVE_MESSAGE, useUnsavedChanges } from '@/stores/unsavedChanges'

function guardAsking(answer: () => boolean) {
  const guard = useUnsavedChanges()
  const ask = vi.fn(answer)
  guard.setAsk(ask)
  return { guard, ask }
}

describe('unsaved changes guard', () => {
  it('does not ask when nothing is dirty', async () => {
    const { guard, ask } = guardAsking(() => false)
    guard.track(() => false)
    expect(await guard.confirmLeave()).toBe(true)
    expect(ask).not.toHaveBeenCalled()
  })

  it('asks when a tracked form is dirty and follows the answer', async () => {
    let answer = false
    const { guard, ask } = guardAsking(() => answer)
    let dirty = true
    const untrack = guard.track(() => dirty)
    expect(await guard.confirmLeave()).toBe(false)
    expect(ask).toHaveBeenCalledWith(LEAVE_MESSAGE)
    answer = true
    expect(await guard.confirmLeave()).toBe(true)
    dirty = false
    expect(guard.hasUnsavedChanges()).toBe(false)
    dirty = true
    untrack()
    expect(guard.hasUnsavedChanges()).toBe(false)
  })

  it('asks in the page dialog by default: the question waits for an answer', async () => {
    const guard = useUnsavedChanges()
    guard.track(() => true)
    const leaving = guard.confirmLeave()
    expect(guard.question?.message).toBe(LEAVE_MESSAGE)
    guard.question!.answer(true)
    expect(await leaving).toBe(true)
    expect(guard.question).toBeNull()
    const staying = guard.confirm('Switch?', { confirm: 'Switch project' })
    expect(guard.question).toMatchObject({ message: 'Switch?', confirmLabel: 'Switch project', cancelLabel: 'Stay' })
    guard.question!.answer(false)
    expect(await staying).toBe(false)
  })

  it('is a fresh guard in every test (no checks leak from other tests)', () => {
    expect(useUnsavedChanges().hasUnsavedChanges()).toBe(false)
  })

  it('cancels beforeunload only with unsaved changes', () => {
    const { guard } = guardAsking(() => true)
    let dirty = false
    guard.track(() => dirty)
    const clean = new Event('beforeunload', { cancelable: true }) as BeforeUnloadEvent
    guard.onBeforeUnload(clean)
    expect(clean.defaultPrevented).toBe(false)
    dirty = true
    const edited = new Event('beforeunload', { cancelable: true }) as BeforeUnloadEvent
    guard.onBeforeUnload(edited)
    expect(edited.defaultPrevented).toBe(true)
  })

  it('installs and removes the window listener', () => {
    const { guard } = guardAsking(() => true)
    guard.track(() => true)
    const remove = guard.install(window)
    const event = new Event('beforeunload', { cancelable: true })
    window.dispatchEvent(event)
    expect(event.defaultPrevented).toBe(true)
    remove()
    const later = new Event('beforeunload', { cancelable: true })
    window.dispatchEvent(later)
    expect(later.defaultPrevented).toBe(false)
  })
})
