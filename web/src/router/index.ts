// The page's routes, in the address hash (#/settings) so the web container
// needs no fallback rules and a reload keeps the view. "/" is the bare
// address: it shows Chat until the user's default view is known (App.vue).
// Leaving Settings with unsaved edits is asked by SettingsView's leave guard.

import { createRouter, createWebHashHistory, type RouterHistory } from 'vue-router'
import type { DefaultView } from '@/api/client'
import ChatView from '@/views/ChatView.vue'
import BoardView from '@/views/BoardView.vue'

export type View = DefaultView

/** `short`: the end of the label that is still drawn in a narrow header. */
export const VIEWS: readonly { id: View; label: string; short?: string }[] = [
  { id: 'chat', label: 'Chat' },
  { id: 'board', label: 'Project Board', short: 'Board' },
  { id: 'settings', label: 'Settings' },
]

/** The route name of the bare address. */
export const HOME = 'home'

export function createAppRouter(history: RouterHistory = createWebHashHistory()) {
  return createRouter({
    history,
    routes: [
      { path: '/', name: HOME, component: ChatView },
      { path: '/chat', name: 'chat', component: ChatView },
      { path: '/board', name: 'board', component: BoardView },
      // Loaded on first use: the sections and their editors are most of the
      // page's code, and Chat is where people land (README: bundle budget).
      { path: '/settings', name: 'settings', component: () => import('@/views/SettingsView.vue') },
      { path: '/:unknown(.*)*', redirect: '/' },
    ],
  })
}
