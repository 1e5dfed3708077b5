// Entry of dist/kefu-zh.js: the widget's zh-CN strings, loaded by the widget's entry (widget/index.ts) on a zh-CN page
// before the widget is drawn. English, the fallback for every other language, is in the main bundle.
import { ZH_MODULE_EVENT, zhCN, type Strings } from '../i18n';

dispatchEvent(new CustomEvent<Strings>(ZH_MODULE_EVENT, { detail: zhCN }));
