"""Messages of the supervisor sign-in and the supervision dashboard."""

from __future__ import annotations

SUPERVISION: dict[str, tuple[str, str]] = {
    "login.title": ("工作人员登录", "Staff sign-in"),
    "login.lead": ("监督人员和合作省份窗口人员：请粘贴发给您的 API 密钥。", "Supervisors and "
                   "partner-province clerks: paste the API key you were given."),
    "login.key": ("API 密钥", "API key"),
    "login.key-hint": ("以 gt_ 开头", "It starts with gt_"),
    "login.submit": ("登录", "Sign in"),
    "login.privacy": ("密钥只保存在服务器内存中，浏览器只保存一个随机会话标识；30 分钟无操作或 8 "
                      "小时后自动退出。",
                      "The key stays in the server's memory; your browser keeps only a random "
                      "session id. You are signed out after 30 idle minutes or 8 hours."),
    "login.invalid": ("密钥无效或已被吊销。", "The key is invalid or has been revoked."),
    "login.not-supervisor": ("该密钥不是监督角色，不能查看监督看板。", "This key does not have "
                             "the supervisor role."),
    "login.role-refused": ("该密钥的角色不能登录网页（只接受监督、合作省份和管理员密钥）。",
                           "Keys of this role cannot sign in here (supervisor, partner and "
                           "admin keys only)."),
    "login.csrf": ("表单已过期或来自其他网站，请重新打开页面再提交。", "The form expired or came "
                   "from another site. Reload the page and try again."),
    "dashboard.title": ("监督看板", "Supervision dashboard"),
    "dashboard.signed-in": ("已登录：{label}（密钥 {key_id}）",
                            "Signed in as {label} (key {key_id})"),
    "dashboard.logout": ("退出登录", "Sign out"),
    "dashboard.filters": ("筛选", "Filters"),
    "dashboard.all-provinces": ("全部省份", "All provinces"),
    "dashboard.severity": ("告警级别", "Alert severity"),
    "dashboard.all-severities": ("全部级别", "All severities"),
    "dashboard.apply": ("应用筛选", "Apply"),
    "panel.alerts": ("告警", "Alerts"),
    "panel.alerts.missing": ("告警功能尚未上线（逾期办件等告警由督办模块提供）。",
                             "Alerts (overdue cases and others) are not available yet: they "
                             "come with the supervision module."),
    "panel.stats": ("按时办结率与办理时长", "On-time rate and handling time"),
    "panel.stats.missing": ("办件统计尚未上线。", "Case statistics are not available yet."),
    "panel.lag": ("上链延迟", "Anchoring lag"),
    "panel.lag.lead": ("已封存但尚未在链上确认的批次，以及其中最早一批已等待的时间。",
                       "Batches sealed but not yet final on chain, and how long the oldest "
                       "has waited."),
    "panel.lag.empty": ("还没有封存的批次。", "No batch has been sealed yet."),
    "panel.lag.chart": ("各省最早未确认批次的等待时间", "Wait of the oldest unconfirmed batch, "
                        "per province"),
    "panel.lag.chart-desc": ("条形越长，等待越久；数值见旁边的表格。", "Longer bars waited "
                             "longer; the table beside lists the numbers."),
    "panel.lag.batches": ("未确认批次", "Batches waiting"),
    "panel.lag.records": ("未确认记录", "Records waiting"),
    "panel.lag.age": ("最长等待", "Oldest wait"),
    "panel.audit": ("最近一次防篡改审计", "Latest tamper audit"),
    "panel.audit.none": ("还没有运行过防篡改审计（govtrace audit 或 "
                         "POST /v1/supervision/audits）。",
                         "No tamper audit has run yet (govtrace audit, or POST "
                         "/v1/supervision/audits)."),
    "panel.audit.when": ("完成于 {finished}（北京时间）", "Finished {finished} (Beijing time)"),
    "panel.audit.scope": ("范围", "Scope"),
    "panel.audit.totals": ("检查了", "Checked"),
    "panel.audit.totals-value": ("{records} 条记录，{batches} 个批次", "{records} records, "
                                 "{batches} batches"),
    "panel.audit.chain": ("与链上树根比对", "Compared with the chain"),
    "panel.audit.chain-checked": ("已比对（{n} 个已上链批次）", "Yes ({n} anchored batches)"),
    "panel.audit.chain-skipped": ("未比对：", "No:"),
    "panel.audit.id": ("审计编号", "Audit id"),
    "panel.audit.findings": ("发现的问题", "Findings"),
    "panel.audit.category": ("类别", "Category"),
    "panel.audit.count": ("数量", "Count"),
    "audit.verdict.clean": ("未发现篡改", "Clean: no tampering found"),
    "audit.verdict.tampered": ("发现篡改", "Tampered"),
    "audit.verdict.incomplete": ("数据库一致，但未能与链上比对", "Incomplete: the database is "
                                 "consistent, but the chain was not compared"),
    "audit.category.modified": ("被修改的记录", "Modified records"),
    "audit.category.deleted": ("被删除的记录", "Deleted records"),
    "audit.category.inserted": ("被插入的记录", "Inserted records"),
    "audit.category.reordered": ("顺序被调换的记录", "Reordered records"),
    "audit.category.batches": ("树根不符的批次", "Batches whose root no longer matches"),
    "audit.category.gaps": ("序号缺口", "Sequence gaps"),
    "audit.category.chains": ("断裂的办件/证照链", "Broken case/license chains"),
    "audit.category.heads": ("受损的省级序号计数", "Damaged province counters"),
}
