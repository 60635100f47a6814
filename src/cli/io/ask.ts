/** Asks an IoRequest on the terminal with @inquirer/prompts (loaded only when a question is asked). */
import { visibleControls } from '../../core/escape.js';
import { GoBack, type Choice, type IoRequest, type Question } from '../../core/io-host.js';

/** The value of the "‹ back" choice; no answer from the account or the plan can take this shape. */
const BACK = '\u0000back';
const ESC = '\u001b';

/** Questions and choices carry names from the account and the plan: no escape sequence reaches the terminal. */
const safeChoices = <V extends string>(choices: Array<Choice<V>>): Array<Choice<V>> =>
  choices.map((c) => ({
    ...c,
    name: visibleControls(c.name),
    ...(c.description === undefined ? {} : { description: visibleControls(c.description) }),
  }));

/** Puts the question on stderr, so stdout keeps only the command's result. Esc (alone, not an arrow key's sequence) goes back. */
export async function askOnTerminal<T>(request: IoRequest<T>): Promise<T> {
  if (!request.back) return ask(request);
  const controller = new AbortController();
  // An arrow key arrives as ESC [ B in one chunk; a lone ESC is the key itself.
  const onData = (chunk: Buffer | string) => {
    if (chunk.toString() === ESC) controller.abort();
  };
  process.stdin.on('data', onData);
  try {
    const answer = await ask(request, controller.signal);
    if (answer === BACK) throw new GoBack();
    return answer;
  } catch (error) {
    if (controller.signal.aborted) throw new GoBack();
    throw error;
  } finally {
    process.stdin.off('data', onData);
  }
}

async function ask<T>(request: IoRequest<T>, signal?: AbortSignal): Promise<T> {
  const { checkbox, confirm, input, select } = await import('@inquirer/prompts');
  const context = { output: process.stderr, ...(signal ? { signal } : {}) };
  const question = request.question as Question<boolean> | Question<string[]> | Question<string>;
  const message = visibleControls(request.message) + (request.back ? ' (Esc: back)' : '');
  switch (question.type) {
    case 'confirm':
      return (await confirm({ message, default: question.initial ?? (request.defaultResponse as boolean) }, context)) as T;
    case 'checkbox':
      return (await checkbox({ message, choices: safeChoices(question.choices), required: question.required, pageSize: 10 }, context)) as T;
    case 'select': {
      const back = request.back ? [{ name: '‹ back', value: BACK }] : [];
      return (await select({ message, choices: [...safeChoices(question.choices), ...back], pageSize: 10 }, context)) as T;
    }
    case 'input':
      return (await input({ message, default: question.initial, validate: question.validate }, context)) as T;
  }
}
