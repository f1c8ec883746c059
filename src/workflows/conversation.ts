import {
  allHandlersFinished,
  ApplicationFailure,
  ActivityFailure,
  condition,
  continueAsNew,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { MemorySnapshot, PersonProfile } from '../activities/conversations';
import {
  AGENT_FOR_INTENT,
  CONVERSATION_CREW,
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_MAX_MESSAGES_PER_RUN,
  DEFAULT_MEMORY_TTL_SECONDS,
  messageProblem,
  messageUpdate,
  TRANSCRIPT_ENTRIES,
  transcriptQuery,
  type ChatMessage,
  type ConversationInput,
  type ConversationResult,
  type Intent,
  type MessageReply,
  type TranscriptEntry,
} from '../conversations/contract';
import { groundBalance, groundComplaint, groundOrder, groundOther, groundProducts, type Grounding } from '../conversations/messages';
import { intentCandidates } from '../conversations/rules';
import { FailureType } from '../shared/errors';
import { priorityKeyOf } from '../shared/priority';
import { SearchAttr } from '../shared/temporal';
import { agentActivities, failureReason, generateOrFallback, LlmCaller, type AgentProxy } from './proxies';

/**
 * A person's chat session: each message is an Update whose handler runs the Assistant (intent),
 * the domain agent that owns the answer (Customer Care, Finance, Catalog) and the LLM that words
 * it from the facts code read. Short-term memory lives in Redis (activities), full history in
 * Postgres. The session ends after an idle period and continues-as-new after N messages.
 */
export async function conversation(input: ConversationInput): Promise<ConversationResult> {
  const { workflowId: sessionId } = workflowInfo();
  const language = input.language ?? 'uk';
  const idleTimeoutMs = input.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const memoryTtlSeconds = input.memoryTtlSeconds ?? DEFAULT_MEMORY_TTL_SECONDS;
  const maxMessagesPerRun = input.maxMessagesPerRun ?? DEFAULT_MAX_MESSAGES_PER_RUN;
  const priorityKey = priorityKeyOf(input.priority ?? 'regular');
  const fairnessKey = input.role === 'consignor' ? input.personId : undefined;
  const agents = agentActivities(priorityKey, fairnessKey);
  // Sticky: the dialog stays on the node that holds its context while that node is alive.
  const llm = new LlmCaller({
    priorityKey, tier: input.priority ?? 'regular', pinnedPool: input.llmPool, sticky: true, stickyPool: input.carried?.llmPool,
    ...(fairnessKey ? { fairness: { key: fairnessKey } } : {}),
    ...(input.role === 'consignor' ? { consignorId: input.personId } : {}),
  });

  const session = {
    messages: input.carried?.messages ?? 0,
    runs: (input.carried?.runs ?? 0) + 1,
    transcript: [...(input.carried?.transcript ?? [])],
    messagesThisRun: 0,
  };
  // Bumped when a message starts and when it finishes: the idle timer restarts on either.
  let activity = 0;
  let inFlight = 0;
  let person: PersonProfile | undefined;
  let identifyFailure: ApplicationFailure | undefined;
  // Messages are answered one at a time, in arrival order, so memory and history stay in turn order.
  let queue: Promise<void> = Promise.resolve();

  setHandler(transcriptQuery, () => ({
    sessionId, role: input.role, personId: input.personId, messages: session.messages, runs: session.runs, entries: session.transcript,
  }));

  setHandler(messageUpdate, async (message: ChatMessage): Promise<MessageReply> => {
    activity++;
    inFlight++;
    const previous = queue;
    let release = () => {};
    queue = new Promise<void>((resolve) => { release = resolve; });
    try {
      await previous;
      await condition(() => person !== undefined || identifyFailure !== undefined);
      if (!person) throw identifyFailure!;
      session.messages++;
      session.messagesThisRun++;
      return await answer(person, message, session.messages);
    } finally {
      release();
      inFlight--;
      activity++;
    }
  }, {
    validator: (message: ChatMessage) => {
      const problem = messageProblem(message);
      if (problem) throw new Error(problem);
    },
  });

  async function answer(who: PersonProfile, message: ChatMessage, turn: number): Promise<MessageReply> {
    setCurrentDetails(`**message ${turn}**: recalling memory and classifying`);
    const memory: MemorySnapshot = await agents.conversationRecallMemory.executeWithOptions({ summary: 'Assistant: recall short-term memory (Redis)' }, [sessionId]);
    const classified = await classify(who, message.text, memory, llm, agents);
    const agent = AGENT_FOR_INTENT[classified.intent];
    setCurrentDetails(`**message ${turn}**: ${classified.intent} → ${agent}`);
    const grounding = await ground(who, message, classified.intent, memory);

    const recentTurns = memory.turns.slice(-4).map((t) => ({ role: t.role, text: t.text }));
    const worded = await generateOrFallback(llm, agents, {
      task: 'conversation_answer', agent, crew: CONVERSATION_CREW, step: agent,
      summary: `${agent}: answer ${classified.intent} (LLM)`,
      input: {
        role: who.role, personName: who.name, language, intent: classified.intent, agent, question: message.text,
        keyFacts: grounding.keyFacts, facts: grounding.facts, recentTurns, nextStep: grounding.nextStep,
      },
      fallback: () => ({ answer: grounding.fallback }),
    });
    const reply: MessageReply = {
      sessionId,
      messageId: message.messageId,
      turn,
      intent: classified.intent,
      intentSource: classified.source,
      agent,
      answer: worded.output.answer,
      facts: grounding.facts,
      ...(grounding.orderId ? { orderId: grounding.orderId } : {}),
      orderSource: grounding.orderSource,
      ...(grounding.complaintRef ? { complaintRef: grounding.complaintRef } : {}),
      memory: { available: memory.available, turnsRecalled: memory.turns.length },
      usedFallback: worded.usedFallback,
    };

    await agents.conversationRecordExchange.executeWithOptions({ summary: 'Assistant: store the exchange in history (Postgres)' }, [{
      sessionId, messageId: message.messageId, turn, question: message.text, answer: reply.answer, intent: reply.intent, agent,
      ...(reply.orderId ? { orderId: reply.orderId } : {}), facts: reply.facts, usedFallback: reply.usedFallback,
    }, workflowInfo().runId]);
    await agents.conversationRemember.executeWithOptions({ summary: 'Assistant: remember the exchange (Redis, TTL)' }, [sessionId, {
      messageId: message.messageId, question: message.text, answer: reply.answer, intent: reply.intent,
      ...(grounding.orderId ? { orderId: grounding.orderId } : {}), ...(grounding.sku ? { sku: grounding.sku } : {}),
    }, memoryTtlSeconds]);

    const entry: TranscriptEntry = {
      turn, messageId: message.messageId, at: new Date().toISOString(), question: message.text, intent: reply.intent, agent,
      answer: reply.answer.slice(0, 500), ...(reply.orderId ? { orderId: reply.orderId } : {}),
    };
    session.transcript.push(entry);
    session.transcript.splice(0, Math.max(0, session.transcript.length - TRANSCRIPT_ENTRIES));
    setCurrentDetails(`**message ${turn}** answered: ${reply.intent} by ${agent}${reply.orderId ? ` (order ${reply.orderId})` : ''}`);
    return reply;
  }

  /** The domain agent for the intent reads the facts; code turns them into what the answer must say. */
  async function ground(who: PersonProfile, message: ChatMessage, intent: Intent, memory: MemorySnapshot): Promise<Grounding & { orderSource: MessageReply['orderSource'] }> {
    switch (intent) {
      case 'order_status':
      case 'delivery_status': {
        const facts = await agents.conversationCareOrderFacts.executeWithOptions(
          { summary: `Customer Care: find the order and its shipments (${intent})` }, [who, message.text, memory.context.orderId]);
        return { ...groundOrder(intent, facts, language), orderSource: facts.orderSource };
      }
      case 'complaint': {
        const facts = await agents.conversationCareOrderFacts.executeWithOptions(
          { summary: 'Customer Care: which order the complaint is about' }, [who, message.text, memory.context.orderId]);
        // A complaint is tied to an order only when the person named it or spoke of it just before: never to a guess.
        const order = facts.orderSource === 'message' || facts.orderSource === 'memory' ? facts.order : undefined;
        const record = await agents.conversationCareRecordComplaint.executeWithOptions(
          { summary: 'Customer Care: record the complaint' }, [sessionId, message.messageId, who, order?.id, message.text]);
        return { ...groundComplaint(record, order, language), orderSource: order ? facts.orderSource : 'none' };
      }
      case 'balance': {
        const facts = await agents.conversationFinanceBalance.executeWithOptions({ summary: 'Finance: consignor balance from the ledger' }, [who]);
        return { ...groundBalance(facts, language), orderSource: 'none' };
      }
      case 'product_question': {
        const facts = await agents.conversationCatalogProducts.executeWithOptions(
          { summary: 'Catalog: product facts' }, [who, message.text, memory.context.sku]);
        return { ...groundProducts(facts, language), orderSource: 'none' };
      }
      case 'other':
        return { ...groundOther(who.role, language), orderSource: 'none' };
    }
  }

  try {
    person = await agents.conversationIdentifyPerson.executeWithOptions(
      { summary: `Assistant: identify ${input.role} ${input.personId}` }, [input.role, input.personId, sessionId]);
    if (person.tier) upsertSearchAttributes([{ key: SearchAttr.BuyerTier, value: person.tier }]);
  } catch (err) {
    const cause = err instanceof ActivityFailure && err.cause instanceof ApplicationFailure ? err.cause : undefined;
    identifyFailure = ApplicationFailure.create({
      type: cause?.type ?? FailureType.InvalidInput, message: failureReason(err), nonRetryable: true,
    });
    // Pending messages get the same typed failure; then the session fails with it.
    await condition(allHandlersFinished);
    throw identifyFailure;
  }
  setCurrentDetails(`Session of ${person.role} ${person.personId} (${person.name}): waiting for messages`);

  for (;;) {
    const seen = activity;
    await condition(() => activity !== seen || (session.messagesThisRun >= maxMessagesPerRun && inFlight === 0), idleTimeoutMs);
    if (session.messagesThisRun >= maxMessagesPerRun || workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof conversation>({
        ...input,
        carried: { messages: session.messages, runs: session.runs, transcript: session.transcript, llmPool: llm.stickyPool },
      });
    }
    // A timeout with a message still being answered is not idleness: wait again from its end.
    if (activity !== seen || inFlight > 0) continue;
    await agents.conversationCloseSession.executeWithOptions({ summary: 'Assistant: close the idle session' }, [sessionId, 'idle']);
    if (activity === seen && inFlight === 0) break;
    // A message arrived while the session was being closed: it goes on, reopened.
    await agents.conversationIdentifyPerson.executeWithOptions({ summary: 'Assistant: reopen the session' }, [input.role, input.personId, sessionId]);
  }
  return { sessionId, endedBy: 'idle', messages: session.messages, runs: session.runs };
}

/** Assistant: rules narrow the intents; the LLM chooses only among them; rules decide when it cannot. */
async function classify(
  who: PersonProfile,
  text: string,
  memory: MemorySnapshot,
  llm: LlmCaller,
  agents: AgentProxy,
): Promise<{ intent: Intent; source: MessageReply['intentSource'] }> {
  const { candidates, decided } = intentCandidates(text, who.role);
  const first = candidates[0]!;
  if (decided) return { intent: first, source: 'rules' };
  const choice = await generateOrFallback(llm, agents, {
    task: 'conversation_intent', agent: 'assistant', crew: CONVERSATION_CREW, step: 'assistant',
    summary: `Assistant: classify among ${candidates.join(', ')} (LLM)`,
    input: { role: who.role, message: text, candidates, ...(memory.context.lastIntent ? { previousIntent: memory.context.lastIntent } : {}) },
    fallback: () => ({ intent: first }),
  });
  return { intent: choice.output.intent, source: choice.usedFallback ? 'fallback' : 'llm' };
}
