// The app's small view state (no router): chat, board or settings, mirrored
// in the location hash (#/settings) so reload and the back button work.
// Leaving Settings with unsaved edits asks first.

import { ref, readonly, type Ref } from 'vue'
import type { DefaultView } from '@/api/client'
import { useUnsavedChanges } from './useUnsavedChanges'

export type View = DefaultView

export const VIEWS: readonly { id: View; label: string }[] = [
  { id: 'chat', label: 'Chat' },
  { id: 'board', label: 'Project Board' },
  { id: 'settings', label: 'Settings' },
]

export function viewFromHash(hash: string): View | null {
  const name = hash.replace(/^#\/?/, '')
  return VIEWS.some((v) => v.id === name) ? (name as View) : null
}

export interface Navigation {
  view: Readonly<Ref<View>>
  /** Counts view changes, so a late automatic move can tell that the user has moved meanwhile. */
  moves: Readonly<Ref<number>>
  /** Goes to a view; false when the user chose to stay (unsaved changes). */
  go(to: View, options?: { force?: boolean }): boolean
  install(): () => void
}

export function createNavigation(confirmLeave: () => boolean): Navigation {
  const view = ref<View>(viewFromHash(typeof location !== 'undefined' ? location.hash : '') ?? 'chat')
  const moves = ref(0)

  function moveTo(to: View) {
    view.value = to
    moves.value += 1
  }

  function writeHash() {
    const hash = `#/${view.value}`
    if (typeof location !== 'undefined' && location.hash !== hash) history.pushState(null, '', hash)
  }

  function go(to: View, options: { force?: boolean } = {}) {
    if (to === view.value) {
      writeHash()
      return true
    }
    if (view.value === 'settings' && !options.force && !confirmLeave()) return false
    moveTo(to)
    writeHash()
    return true
  }

  function onHashChange() {
    const to = viewFromHash(location.hash)
    if (!to || to === view.value) return
    if (view.value === 'settings' && !confirmLeave()) {
      history.replaceState(null, '', `#/${view.value}`)
      return
    }
    moveTo(to)
  }

  return {
    view: readonly(view),
    moves: readonly(moves),
    go,
    install() {
      window.addEventListener('hashchange', onHashChange)
      return () => window.removeEventListener('hashchange', onHashChange)
    },
  }
}

let shared: Navigation | null = null

export function useNavigation(): Navigation {
  shared ??= createNavigation(() => useUnsavedChanges().confirmLeave())
  return shared
}
