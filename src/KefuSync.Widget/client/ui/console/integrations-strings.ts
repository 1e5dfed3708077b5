// Strings of the console's Integrations panel (API keys and webhook endpoints, admins only), en and zh-CN.
import type { Lang } from '../../i18n';

export interface IntegrationsStrings {
  tab: string;
  keys: string;
  keysHint: string;
  none: string;
  fromOptions: string;
  createdBy: (who: string, when: string) => string;
  revokedBy: (who: string, when: string) => string;
  revoke: string;
  confirmRevoke: (name: string) => string;
  newKey: string;
  name: string;
  role: string;
  roleBot: string;
  roleAgent: string;
  displayName: string;
  scopes: string;
  scope: Record<string, string>;
  create: string;
  copyNow: string;
  copy: string;
  copied: string;
  webhooks: string;
  noWebhooks: string;
  active: string;
  paused: string;
  node: (id: string) => string;
  noNode: string;
  delivered: (n: number, when: string | null) => string;
  failures: string;
  failure: (attempt: number, what: string) => string;
  resume: string;
  remove: string;
  confirmRemove: (name: string) => string;
  newHook: string;
  url: string;
  events: string;
  eventsHint: string;
  allEvents: string;
  add: string;
  copyHookNow: string;
  refresh: string;
  working: string;
  failed: (why: string) => string;
}

const EN: IntegrationsStrings = {
  tab: 'Integrations',
  keys: 'API keys',
  keysHint: 'Keys for the REST API (Authorization: Bearer KEY). A key is shown once, when it is created; the server keeps only its hash.',
  none: 'No keys yet.',
  fromOptions: "Set in the server's options (read-only here)",
  createdBy: (who, when) => `Created by ${who}, ${when}`,
  revokedBy: (who, when) => `Revoked by ${who}, ${when}`,
  revoke: 'Revoke',
  confirmRevoke: (name) => `Revoke the key "${name}"? Every request with it is refused from now on, on every server.`,
  newKey: 'New key',
  name: 'Name',
  role: 'Acts as',
  roleBot: 'Bot',
  roleAgent: 'Agent',
  displayName: 'Name shown on its messages',
  scopes: 'Scopes',
  scope: {
    'conversations:read': 'List and read conversations',
    'messages:read': 'Read messages',
    'messages:write': 'Post messages',
    'conversations:write': 'Close, reopen and assign',
    'visitors:read': 'Read visitor profiles',
  },
  create: 'Create key',
  copyNow: 'Copy this key now. It will not be shown again.',
  copy: 'Copy',
  copied: 'Copied',
  webhooks: 'Webhooks',
  noWebhooks: 'No webhook endpoints are configured (KefuSync:Webhooks:Endpoints).',
  active: 'Active',
  paused: 'Paused',
  node: (id) => `Delivering from ${id}`,
  noNode: 'No server is delivering now',
  delivered: (n, when) => (when ? `${n} delivered, last ${when}` : `${n} delivered`),
  failures: 'Recent failures',
  failure: (attempt, what) => `attempt ${attempt}: ${what}`,
  resume: 'Resume delivery',
  remove: 'Remove',
  confirmRemove: (name) => `Remove the endpoint "${name}"? Nothing more is sent to it, from any server.`,
  newHook: 'New endpoint',
  url: 'URL',
  events: 'Events',
  eventsHint: 'None checked: every event.',
  allEvents: 'All events',
  add: 'Add endpoint',
  copyHookNow: 'Copy this signing secret now and give it to the receiver. It will not be shown again.',
  refresh: 'Refresh',
  working: 'Working…',
  failed: (why) => `Not done: ${why}`,
};

const ZH: IntegrationsStrings = {
  tab: '集成',
  keys: 'API 密钥',
  keysHint: '用于 REST API（Authorization: Bearer 密钥）。密钥只在创建时显示一次，服务器只保存其哈希值。',
  none: '还没有密钥。',
  fromOptions: '在服务器配置中设置（此处只读）',
  createdBy: (who, when) => `由 ${who} 创建于 ${when}`,
  revokedBy: (who, when) => `已由 ${who} 于 ${when} 吊销`,
  revoke: '吊销',
  confirmRevoke: (name) => `吊销密钥“${name}”？此后所有服务器都会拒绝使用它的请求。`,
  newKey: '新建密钥',
  name: '名称',
  role: '身份',
  roleBot: '机器人',
  roleAgent: '客服',
  displayName: '消息上显示的名称',
  scopes: '权限范围',
  scope: {
    'conversations:read': '查看会话',
    'messages:read': '读取消息',
    'messages:write': '发送消息',
    'conversations:write': '关闭、重新打开和分配会话',
    'visitors:read': '查看访客资料',
  },
  create: '创建密钥',
  copyNow: '请立即复制此密钥，它不会再次显示。',
  copy: '复制',
  copied: '已复制',
  webhooks: 'Webhook',
  noWebhooks: '尚未配置 Webhook 端点（KefuSync:Webhooks:Endpoints）。',
  active: '正常',
  paused: '已暂停',
  node: (id) => `由 ${id} 投递`,
  noNode: '当前没有服务器在投递',
  delivered: (n, when) => (when ? `已投递 ${n} 条，最近一次 ${when}` : `已投递 ${n} 条`),
  failures: '最近的失败',
  failure: (attempt, what) => `第 ${attempt} 次：${what}`,
  resume: '恢复投递',
  remove: '删除',
  confirmRemove: (name) => `删除端点“${name}”？此后所有服务器都不再向它发送。`,
  newHook: '新建端点',
  url: 'URL',
  events: '事件',
  eventsHint: '不勾选：发送全部事件。',
  allEvents: '全部事件',
  add: '添加端点',
  copyHookNow: '请立即复制此签名密钥并交给接收方，它不会再次显示。',
  refresh: '刷新',
  working: '处理中…',
  failed: (why) => `未完成：${why}`,
};

export function integrationsStrings(lang: Lang): IntegrationsStrings {
  return lang === 'zh-CN' ? ZH : EN;
}
