/** Asks an IoRequest on the terminal with @inquirer/prompts (loaded only when a question is asked). */
import { visibleControls } from '../../core/escape.js';
import type { Choice, IoRequest, Question } from '../../core/io-host.js';

/** Questions and choices carry names from the account and the plan: no escape sequence reaches the terminal. */
const safeChoices = <V extends string>(choices: Array<Choice<V>>): Array<Choice<V>> =>
  choices.map((c) => ({
    ...c,
    name: visibleControls(c.name),
    ...(c.description === undefined ? {} : { description: visibleControls(c.description) }),
  }));

/** Puts the question on stderr, so stdout keeps only the command's result. */
export async function askOnTerminal<T>(request: IoRequest<T>): Promise<T> {
  const { checkbox, confirm, input, select } = await import('@inquirer/prompts');
  const context = { output: process.stderr };
  const question = request.question as Question<boolean> | Question<string[]> | Question<string>;
  const message = visibleControls(request.message);
  switch (question.type) {
    case 'confirm':
      return (await confirm({ message, default: question.initial ?? (request.defaultResponse as boolean) }, context)) as T;
    case 'checkbox':
      return (await checkbox({ message, choices: safeChoices(question.choices), required: question.required }, context)) as T;
    case 'select':
      return (await select({ message, choices: safeChoices(question.choices) }, context)) as T;
    case 'input':
      return (await input({ message, default: question.initial, validate: question.validate }, context)) as T;
  }
}
