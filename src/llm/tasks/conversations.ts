import { z } from 'zod';
import { MESSAGE_MAX_CHARS, type Intent } from '../../conversations/contract';
import type { ConversationAnswerInput } from '../contract';
import type { TaskTable } from '../tasks';

const INTENT_MEANING: Record<Intent, string> = {
  order_status: 'where an order is, what it contains, its status or payment',
  delivery_status: 'when or how an order will be delivered, its tracking number or carrier',
  balance: "the consignor's balance, accruals or payouts",
  product_question: 'a product: ingredients, allergens, price, storage, shelf life, availability',
  complaint: 'a complaint or a return: something arrived damaged, spoiled, wrong or late',
  other: 'anything else (greeting, thanks, general question)',
};

/** Identifiers and amounts an answer could invent: each must be copied from what code supplied. */
const INVENTABLE = [/GF[0-9A-F]{12}/g, /CMP-[0-9]{6}/g, /-?[0-9]+\.[0-9]{2} грн/g];

function suppliedText(input: ConversationAnswerInput): string {
  return [input.question, ...input.keyFacts, ...input.facts, ...input.recentTurns.map((t) => t.text)].join('\n');
}

export const conversationTasks: Pick<TaskTable, 'conversation_intent' | 'conversation_answer'> = {
  conversation_intent: {
    schema: (input) => {
      const [first, ...rest] = input.candidates;
      if (first === undefined) throw new Error('conversation_intent needs at least one candidate');
      return z.object({ intent: z.enum([first, ...rest]) }).strict();
    },
    prompt: (input) =>
      [
        `A ${input.role} of GREENFOOD wrote: "${input.message}"`,
        ...(input.previousIntent ? [`Their previous message was about: ${input.previousIntent}.`] : []),
        'Which one of these intents is it?',
        ...input.candidates.map((c) => `- ${c}: ${INTENT_MEANING[c]}`),
      ].join('\n'),
  },
  conversation_answer: {
    schema: () => z.object({ answer: z.string().min(1).max(MESSAGE_MAX_CHARS) }).strict(),
    // Key facts come first: a model (or the simulator's echo) that is cut short still carries them.
    prompt: (input) =>
      [
        `Key facts to quote exactly: ${input.keyFacts.length ? input.keyFacts.join('; ') : '(none)'}.`,
        `Answer ${input.personName} (a GREENFOOD ${input.role}) in ${input.language === 'uk' ? 'Ukrainian' : 'English'}, as the ${input.agent} agent.`,
        `Question (${input.intent}): "${input.question}"`,
        'Facts from the GREENFOOD database, the only source of truth:',
        ...input.facts.map((f) => `- ${f}`),
        ...(input.recentTurns.length ? ['Recent conversation:', ...input.recentTurns.map((t) => `- ${t.role}: ${t.text}`)] : []),
        `Next step to propose: ${input.nextStep}`,
        'Use only these facts; copy order numbers, tracking numbers and amounts exactly; if the facts do not answer the question, say so. Two to five sentences.',
      ].join('\n'),
    check: (output, input) => {
      const missing = input.keyFacts.filter((f) => !output.answer.includes(f));
      if (missing.length) return `answer omits key fact(s): ${missing.join(', ')}`;
      const supplied = suppliedText(input);
      const invented = INVENTABLE.flatMap((re) => output.answer.match(re) ?? []).filter((token) => !supplied.includes(token));
      return invented.length ? `answer states data it was not given: ${[...new Set(invented)].join(', ')}` : undefined;
    },
  },
};
