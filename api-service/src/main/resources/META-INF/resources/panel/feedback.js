// What a form shows while its call runs and when it ends: the operation's progress (state, time, the events of
// its correlation as the stream delivers them) and the API's error, as the API words it, next to the form.

import {h, clear, short} from './dom.js';
import {onEvent, recentEvents} from './store.js';

export class Feedback {
  constructor() {
    this.progress = h('div', {class: 'progress', hidden: true, 'aria-live': 'polite'});
    this.error = h('div', {class: 'error', role: 'alert', hidden: true});
    this.el = h('div', {class: 'feedback'}, this.progress, this.error);
    this.steps = [];
    this.stop = null;
  }

  /** Runs call(progress) with the submit control disabled; true when it succeeded. */
  async run(control, call) {
    this.reset();
    if (control) control.disabled = true;
    this.progress.hidden = false;
    this.show({state: 'sending'});
    try {
      await call(op => this.show(op));
      this.reset();
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    } finally {
      if (this.stop) this.stop();
      this.stop = null;
      if (control) control.disabled = false;
    }
  }

  show(op) {
    if (op.id && !this.stop) {
      const step = env => this.steps.push(env.type + (env.node ? ' @' + env.node : ''));
      recentEvents.filter(env => env.correlationId === op.id).forEach(step);
      this.stop = onEvent(env => {
        if (env.correlationId === op.id) {
          step(env);
          this.render();
        }
      });
    }
    this.op = op;
    this.render();
  }

  render() {
    const op = this.op || {};
    const seconds = op.elapsed !== undefined ? ' · ' + (op.elapsed / 1000).toFixed(1) + ' s' : '';
    clear(this.progress).append(h('span', {class: 'spinner'}),
      h('span', {class: 'op-state'}, `${op.kind || 'request'} ${op.state || ''}${seconds}`),
      op.id ? h('span', {class: 'muted'}, ' operation ' + short(op.id)) : '',
      this.steps.length ? h('ol', {class: 'steps'}, this.steps.map(x => h('li', {}, x))) : '');
  }

  fail(e) {
    this.progress.hidden = true;
    this.error.hidden = false;
    const code = e.code ? e.code + ', ' : '';
    clear(this.error).append(h('span', {class: 'error-message'}, e.message || String(e)),
      h('span', {class: 'error-status'}, ` (${code}HTTP ${e.status || '?'})`));
  }

  reset() {
    this.progress.hidden = true;
    this.error.hidden = true;
    this.steps = [];
    this.op = null;
    clear(this.error);
    clear(this.progress);
  }
}
