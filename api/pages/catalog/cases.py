"""Messages of the citizen case progress page, and case states, steps and license events in
both languages (the ledger keeps only the Chinese labels)."""

from __future__ import annotations

CASES: dict[str, tuple[str, str]] = {
    "cases.title": ("办件进度查询", "Case progress"),
    "cases.lead": ("输入办件编号和申请时获得的查询码。查询码只用于本次查询，不会出现在网址中。",
                   "Enter your case number and the query code you were given when you "
                   "applied. The code is never put in the address bar."),
    "cases.case-no": ("办件编号", "Case number"),
    "cases.case-no-hint": ("例如 310000-20261125-004217", "For example 310000-20261125-004217"),
    "cases.code": ("查询码", "Query code"),
    "cases.code-hint": ("12 位字母和数字，例如 M8BM-M3X6-KR34", "12 letters and digits, for "
                        "example M8BM-M3X6-KR34"),
    "cases.submit": ("查询", "Look up"),
    "cases.not-found": ("办件编号或查询码不正确。请核对后重试。", "The case number or the query "
                        "code is not right. Check both and try again."),
    "cases.too-many": ("尝试次数过多，请 {seconds} 秒后再试。", "Too many attempts. Try again "
                       "in {seconds} seconds."),
    "cases.not-sealed": ("这一步还在等待封存，暂时没有证据包，请稍后再试。", "This step is "
                         "still waiting to be sealed, so it has no evidence bundle yet. Try "
                         "again shortly."),
    "cases.state": ("当前状态", "Current status"),
    "cases.route": ("受理地 → 办理地", "Received in → handled by"),
    "cases.submitted": ("申请时间", "Submitted"),
    "cases.due": ("承诺办结日期", "Due date"),
    "cases.due-not-started": ("受理后计算", "Set when the case is accepted"),
    "cases.left": ("剩余时间", "Time left"),
    "cases.days-left": ("还剩 {n} 个工作日", "{n} working day(s) left"),
    "cases.overdue": ("已超期 {n} 个工作日", "Overdue by {n} working day(s)"),
    "cases.clock-not-started": ("尚未受理，办理时限自受理次日起计算。", "Not accepted yet; the "
                                "time limit starts the working day after acceptance."),
    "cases.clock-stopped": ("（特别程序期间暂停计时）", "(the clock is paused during a special "
                            "procedure)"),
    "cases.finished-on-time": ("已按时办结", "Completed on time"),
    "cases.finished-late": ("已办结（超期）", "Completed late"),
    "cases.timeline": ("办理过程", "Steps"),
    "cases.chain-broken": ("注意：该办件的记录链不完整，可能被篡改，请联系办理部门。",
                           "Warning: this case's chain of records is broken and may have been "
                           "tampered with. Contact the department handling it."),
    "cases.anchored": ("已上链", "Anchored on chain"),
    "cases.sealed": ("已封存，等待上链", "Sealed, waiting for the chain"),
    "cases.pending": ("刚刚记录，等待封存", "Just recorded, waiting to be sealed"),
    "cases.download": ("下载证据包", "Download evidence"),
    "cases.download-step": ("下载“{step}”这一步的证据包", "Download the evidence of step "
                            "“{step}”"),
    "cases.evidence-hint": ("证据包可交给任何人核验，无需信任本网站：", "Anyone can check an "
                            "evidence bundle without trusting this site:"),
    "cases.another": ("查询其他办件", "Look up another case"),
    "state.submitted": ("已申请", "Submitted"),
    "state.supplement_requested": ("待补正", "Documents requested"),
    "state.refused": ("不予受理", "Refused"),
    "state.accepted": ("已受理", "Accepted"),
    "state.forwarded": ("已转办", "Forwarded"),
    "state.received": ("已接收", "Received"),
    "state.under_review": ("审查中", "Under review"),
    "state.suspended": ("特别程序中", "Special procedure"),
    "state.decided": ("已决定", "Decided"),
    "state.completed": ("已办结", "Completed"),
    "state.delivered": ("已送达", "Delivered"),
    "state.evaluated": ("已评价", "Evaluated"),
    "step.submitted": ("申请", "Application"),
    "step.supplement_requested": ("补正告知", "Documents requested"),
    "step.supplement_supplied": ("补正材料", "Documents supplied"),
    "step.refused": ("不予受理", "Refused"),
    "step.accepted": ("受理", "Accepted"),
    "step.forwarded": ("转办", "Forwarded"),
    "step.received": ("接收", "Received"),
    "step.review_started": ("审查", "Review"),
    "step.suspended": ("特别程序", "Special procedure"),
    "step.resumed": ("恢复办理", "Resumed"),
    "step.decided": ("决定", "Decision"),
    "step.completed": ("办结", "Completed"),
    "step.delivered": ("送达", "Delivered"),
    "step.evaluated": ("好差评", "Evaluation"),
    "event.issued": ("证照签发", "License issued"),
    "event.suspended": ("证照暂停", "License suspended"),
    "event.reinstated": ("证照恢复", "License reinstated"),
    "event.revoked": ("证照撤销", "License revoked"),
    "event.expired": ("证照过期", "License expired"),
}
