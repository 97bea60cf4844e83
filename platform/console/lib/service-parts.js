// What the pages of real-time and batch services show alike.
import { badge, formatDate, h, table } from './dom.js';
import { link } from './nav.js';

/**
 * The first facts of a service's summary: status, reason, id and model.
 * @param {Json} s
 * @returns {[string, Child][]}
 */
export function serviceFacts(s) {
  return [
    ['Status', badge(s.status)],
    ['Reason', s.reason],
    ['Service id', h('code', {}, s.id)],
    ['Model', link(`models/${s.model_id}`, `${s.model_name} ${s.model_version}`)],
  ];
}

/**
 * The service's events, newest first.
 * @param {Json} s
 */
export function eventsPanel(s) {
  const events = [...s.events].reverse().map((e) => [formatDate(e.time), h('span', { class: `event-${e.type}` }, e.type), e.message]);
  return h('section', { class: 'panel' }, h('h2', {}, 'Events'), table(['When', 'Type', 'Message'], events, { empty: 'No events.' }));
}
