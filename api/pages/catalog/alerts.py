"""Messages of the dashboard's alert and statistics panels (electronic supervision)."""

from __future__ import annotations

ALERTS: dict[str, tuple[str, str]] = {
    "severity.red": ("红色（需立即处理）", "Red (act now)"),
    "severity.yellow": ("黄色（预警）", "Yellow (warning)"),
    "alert.kind.overdue": ("超期", "Overdue"),
    "alert.kind.due_soon": ("即将到期", "Due soon"),
    "alert.kind.stalled": ("停滞", "Stalled"),
    "alert.kind.out_of_order": ("环节缺失或顺序异常", "Missing or out-of-order step"),
    "alert.kind.not_received": ("转办未接收", "Forwarded, not received"),
    "alert.kind.anchor_lag": ("上链滞后", "Anchoring lag"),
    "alert.kind.refusal_rate": ("不予受理率偏高", "High refusal rate"),
    "alert.kind.denial_rate": ("不予许可率偏高", "High denial rate"),
    "panel.alerts.lead": ("当前成立的告警，最新的在前。每条告警列出所依据的记录，"
                          "并说明这些记录是否已上链确认。",
                          "Alerts that hold now, newest first. Each lists the records behind "
                          "it and whether they are confirmed on chain."),
    "panel.alerts.empty": ("没有符合筛选条件的告警。", "No alert matches the filters."),
    "panel.alerts.counts": ("红色 {red} 条，黄色 {yellow} 条", "{red} red, {yellow} yellow"),
    "panel.alerts.more": ("仅显示最新的 {n} 条；完整列表见 GET /v1/supervision/alerts。",
                          "Only the latest {n} are shown; GET /v1/supervision/alerts lists "
                          "all."),
    "col.severity": ("级别", "Severity"),
    "col.kind": ("类型", "Kind"),
    "col.subject": ("对象", "Subject"),
    "col.reason": ("原因", "Reason"),
    "col.raised": ("告警时间", "Raised"),
    "col.anchored": ("依据已上链", "Facts anchored"),
    "anchored.yes": ("已上链", "Anchored"),
    "anchored.no": ("未上链", "Not yet"),
    "panel.stats.lead": ("按办理省份统计全部办件：按时办结率，以及从受理到办结的工作日数（不含特别"
                         "程序）。", "All cases by handling province: on-time rate, and "
                         "working days from acceptance to completion (special procedures "
                         "excluded)."),
    "panel.stats.empty": ("还没有办件。", "No case yet."),
    "panel.stats.rate-chart": ("各省按时办结率", "On-time rate per province"),
    "panel.stats.rate-desc": ("条形越长越好；低于 90% 的标为警示。", "Longer is better; below "
                              "90% is marked."),
    "panel.stats.days-chart": ("各省办理时长中位数（工作日）", "Median handling time per "
                               "province (working days)"),
    "panel.stats.days-desc": ("条形越短越快；数值见旁边的表格。", "Shorter is faster; the table "
                              "lists the numbers."),
    "panel.stats.handled": ("办理件数", "Handled"),
    "panel.stats.completed": ("办结", "Completed"),
    "panel.stats.rate": ("按时率", "On time"),
    "panel.stats.median": ("中位数", "Median"),
    "panel.stats.p90": ("90 分位", "p90"),
    "panel.stats.suspensions": ("特别程序", "Suspensions"),
    "panel.stats.satisfaction": ("满意度", "Satisfaction"),
    "unit.days": ("{n} 个工作日", "{n} working days"),
    "unit.none": ("—", "—"),
}
