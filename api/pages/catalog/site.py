"""Messages of the page frame, error pages and the ledger explorer."""

from __future__ import annotations

SITE: dict[str, tuple[str, str]] = {
    "site.name": ("政务服务存证", "govtrace"),
    "site.footer": ("跨省通办办件与电子证照存证：每条记录都锚定在联盟链上，任何人都可核验。",
                    "Cross-province case and e-license audit ledger: every record is anchored "
                    "on the consortium chain and anyone can verify it."),
    "nav.skip": ("跳到主要内容", "Skip to main content"),
    "nav.switch": ("English", "中文"),
    "nav.label": ("主导航", "Main"),
    "nav.cases": ("办件进度", "Case progress"),
    "nav.verify": ("核验证据", "Verify"),
    "nav.explorer": ("账本浏览", "Ledger explorer"),
    "nav.supervision": ("监督看板", "Supervision"),
    "home.title": ("政务服务存证查询", "Government service audit ledger"),
    "home.lead": ("查询办件进度、核验证据包、查看上链批次。",
                  "Check a case, verify evidence, browse anchored batches."),
    "home.cases": ("输入办件编号和查询码，查看办理进度和每一步的上链证明。",
                   "Enter your case number and query code to follow your case, step by step, "
                   "with proof that each step is on the chain."),
    "home.verify": ("上传或粘贴证据包，核验记录是否真实、是否被篡改。",
                    "Upload or paste an evidence bundle to check that a record is authentic "
                    "and unaltered."),
    "home.explorer": ("按省份查看已封存的批次、默克尔根和上链交易。",
                      "Sealed batches per province with their Merkle roots and anchor "
                      "transactions."),
    "home.supervision": ("监督人员：告警、按时办结率、上链延迟与防篡改审计。",
                         "For supervisors: alerts, on-time rates, anchoring lag and tamper "
                         "audits."),
    "unit.seconds": ("{n} 秒", "{n} s"),
    "col.province": ("省份", "Province"),
    "col.batches": ("批次数", "Batches"),
    "col.records": ("记录数", "Records"),
    "col.last-block": ("最新区块", "Latest block"),
    "col.batch": ("批次", "Batch"),
    "col.status": ("状态", "Status"),
    "col.size": ("记录数", "Size"),
    "col.seq": ("序号范围", "Sequence"),
    "col.root": ("默克尔根", "Merkle root"),
    "col.tx": ("上链交易", "Anchor transaction"),
    "col.block": ("区块", "Block"),
    "col.sealed-at": ("封存时间（北京时间）", "Sealed at (Beijing time)"),
}

ERRORS: dict[str, tuple[str, str]] = {
    "error.title": ("出错了（{status}）", "Something went wrong ({status})"),
    "error.home": ("返回首页", "Back to the start page"),
    "error.generic": ("请求未能完成。", "The request could not be completed."),
    "error.400": ("请求格式不正确，请返回重试。", "The request was not understood. Go back and "
                  "try again."),
    "error.401": ("需要登录。", "Please sign in."),
    "error.403": ("您无权访问此页面。", "You may not open this page."),
    "error.404": ("找不到该页面或内容。", "This page or item does not exist."),
    "error.405": ("不支持此操作。", "This action is not supported here."),
    "error.413": ("提交的内容太大。", "What you sent is too large."),
    "error.415": ("不支持的内容类型。", "This type of content is not supported."),
    "error.422": ("填写的内容有误，请检查后重试。", "Something in the form is not valid. Check "
                  "it and try again."),
    "error.500": ("服务器内部错误，请稍后再试。", "The server failed. Please try again later."),
    "error.503": ("服务暂时不可用，请稍后再试。", "The service is temporarily unavailable. "
                  "Please try again shortly."),
    "error.ledger-inconsistent": ("账本存储的数据不完整，暂时无法生成证据。该问题已记录，供运维人员"
                                  "处理；请稍后再试或联系办理机关。",
                                  "The ledger's stored data is incomplete, so no evidence can "
                                  "be produced. The problem has been logged for the operators; "
                                  "try again later or contact the office handling your case."),
}

EXPLORER: dict[str, tuple[str, str]] = {
    "explorer.title": ("账本浏览", "Ledger explorer"),
    "explorer.lead": ("各省记录按批次封存为默克尔树，树根上链。这里的数据在联盟链上公开，"
                      "不含任何记录内容。",
                      "Each province's records are sealed in batches into Merkle trees whose "
                      "roots go on chain. Everything here is public on the consortium chain "
                      "and contains no record content."),
    "explorer.empty": ("还没有封存的批次。", "No batch has been sealed yet."),
    "explorer.provinces": ("各省批次", "Batches per province"),
    "explorer.province-title": ("{province} 的批次", "Batches of {province}"),
    "explorer.back": ("← 全部省份", "← All provinces"),
    "explorer.province-empty": ("该省还没有封存的批次。", "This province has no sealed batch yet."),
    "explorer.showing": ("第 {first}–{last} 批，共 {total} 批（最新在前）",
                         "Batches {first}–{last} of {total} (newest first)"),
    "explorer.batches": ("批次列表", "Batches"),
    "explorer.pages": ("翻页", "Pages"),
    "explorer.newer": ("← 较新的批次", "← Newer batches"),
    "explorer.older": ("较早的批次 →", "Older batches →"),
    "explorer.no-province": ("{province} 不是省级行政区划代码。",
                             "{province} is not a province-level code."),
    "status.pending": ("待上链", "Pending"),
    "status.anchoring": ("上链中", "Anchoring"),
    "status.final": ("已确认", "Final"),
    "status.pending.help": ("已封存，尚未提交上链交易。",
                            "sealed, the anchoring transaction is not sent yet."),
    "status.anchoring.help": ("上链交易已提交，等待 {n} 个区块确认。",
                              "transaction sent, waiting for {n} confirmation(s)."),
    "status.final.help": ("已上链并获得 {n} 个以上区块确认。",
                          "on chain with at least {n} confirmation(s)."),
}
