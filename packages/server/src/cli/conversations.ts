import type { Command } from 'commander';
import type { Conversation, Message, PaginatedResult } from '@switchboard/sdk';
import { action, commandGroup, getData, resolveContext } from './context.js';
import { iso, oneLine, print, printJson } from './output.js';
import { listCommand, type Table } from './resource.js';
import { tailEvents } from './tail.js';

type ListedConversation = Conversation & { lastMessagePreview?: string | null };

const TABLE: Table<ListedConversation> = {
  header: ['ID', 'STATE', 'STATUS', 'AGENT', 'CHANNEL', 'CREATED', 'LAST MESSAGE', 'PREVIEW'],
  row: (c) => [
    c.id,
    c.handoffState,
    c.status,
    c.agentId,
    c.channelId,
    iso(c.createdAt),
    iso(c.lastMessageAt),
    oneLine(c.lastMessagePreview, 40),
  ],
};

const MESSAGE_PAGE_SIZE = 100;

export function registerConversationCommands(program: Command): void {
  const conversations = commandGroup(program, 'conversations', 'Conversations with contacts, their transcripts, and the live event stream');

  listCommand<ListedConversation, { state?: string; channel?: string }>(conversations, {
    description: 'List conversations, oldest first',
    options: (command) =>
      command
        .option('--state <state>', 'only these handoff states: bot, pending_human, human, resolved (several separated by commas)')
        .option('--channel <id>', 'only conversations on this channel'),
    table: TABLE,
    empty: (options) => (options.state ? `No conversations in state ${options.state}.` : 'No conversations yet.'),
    fetch: (context, page, options) =>
      getData<PaginatedResult<ListedConversation>>(context, '/conversations', { ...page, state: options.state, channelId: options.channel }),
  });

  conversations
    .command('show')
    .description('Show a conversation and its whole transcript')
    .argument('<id>', 'the conversation id')
    .option('--json', "print {conversation, messages}: the API's data of the conversation and of every transcript page")
    .action(
      action(async (id: string, options: { json?: boolean }) => {
        const { client } = resolveContext();
        const conversation = await client.conversations.get(id);
        const messages: Message[] = [];
        for (let page = 1; ; page += 1) {
          const result = await client.conversations.messages(id, { page, pageSize: MESSAGE_PAGE_SIZE });
          messages.push(...result.data);
          if (result.data.length === 0 || page * MESSAGE_PAGE_SIZE >= result.meta.totalCount) break;
        }
        if (options.json) return printJson({ conversation, messages });
        print(`Conversation ${conversation.id}  ${conversation.status}, ${conversation.handoffState}`);
        print(`Agent ${conversation.agentId}  channel ${conversation.channelId}  contact ${conversation.contactId}`);
        print(`Started ${iso(conversation.createdAt)}${conversation.assignedTeamId ? `  team ${conversation.assignedTeamId}` : ''}${conversation.assignedMemberId ? `  member ${conversation.assignedMemberId}` : ''}`);
        print('');
        if (messages.length === 0) print('No messages yet.');
        for (const message of messages) {
          const who = message.role === 'human' && message.authorId ? `human ${message.authorId}` : message.role;
          const text = message.text === null ? '(not recorded)' : message.text;
          print(`${iso(message.createdAt)}  ${who}${message.fallback ? ' (fallback)' : ''}: ${text}`);
        }
      }),
    );

  conversations
    .command('tail')
    .description('Follow the workspace\'s live events, one line each, until Ctrl-C')
    .option('--json', 'print each event as one line of JSON ({id, type, createdAt, data})')
    .action(
      action(async (options: { json?: boolean }) => {
        await tailEvents(resolveContext(), { json: options.json === true });
      }),
    );
}
