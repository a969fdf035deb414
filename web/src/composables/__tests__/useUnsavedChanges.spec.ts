import { afterEach, describe, expect, it, vi } from 'vitest'
import { createUnsavedChanges, LEAVE_MESSAGE } from '@/composables/useUnsavedChanges'
import { createNavigation, viewFromHash } from '@/composables/useNavigation'

describe('unsaved changes guard', () => {
  it('does not ask when nothing is dirty', () => {
    const confirm = vi.fn(() => false)
    const guard = createUnsavedChanges(confirm)
    guard.track(() => false)
    expect(guard.confirmLeave()).toBe(true)
    expect(confirm).not.toHaveBeenCalled()
  })

  it('asks when a tracked form is dirty and follows the answer', () => {
    const confirm = vi.fn(() => false)
    const guard = createUnsavedChanges(confirm)
    let dirty = true
    const untrack = guard.track(() => dirty)
    expect(guard.confirmLeave()).toBe(false)
    expect(confirm).toHaveBeenCalledWith(LEAVE_MESSAGE)
    confirm.mockReturnValue(true)
    expect(guard.confirmLeave()).toBe(true)
    dirty = false
    expect(guard.hasUnsavedChanges()).toBe(false)
    dirty = true
    untrack()
    expect(guard.hasUnsavedChanges()).toBe(false)
  })

  it('cancels beforeunload only with unsaved changes', () => {
    const guard = createUnsavedChanges(() => true)
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
    const guard = createUnsavedChanges(() => true)
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

describe('navigation', () => {
  afterEach(() => history.replaceState(null, '', '#/'))

  it('reads the view from the hash', () => {
    expect(viewFromHash('#/settings')).toBe('settings')
    expect(viewFromHash('#/board')).toBe('board')
    expect(viewFromHash('#/nope')).toBeNull()
    expect(viewFromHash('')).toBeNull()
  })

  it('leaves Settings only when the guard allows it', () => {
    let allow = false
    const navigation = createNavigation(() => allow)
    expect(navigation.go('settings')).toBe(true)
    expect(location.hash).toBe('#/settings')
    expect(navigation.go('chat')).toBe(false)
    expect(navigation.view.value).toBe('settings')
    allow = true
    expect(navigation.go('chat')).toBe(true)
    expect(navigation.view.value).toBe('chat')
    expect(location.hash).toBe('#/chat')
  })

  it('a forced move (after login) does not ask', () => {
    const guard = vi.fn(() => false)
    const navigation = createNavigation(guard)
    navigation.go('settings')
    expect(navigation.go('board', { force: true })).toBe(true)
    expect(guard).not.toHaveBeenCalled()
  })
})
