"""Dropped characters and words (ZH301)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from toolkit.errors import ConfigError
from toolkit.lexicon import get_lexicon, jieba_dictionary
from toolkit.paths import cache_dir
from toolkit.repairs import dropped
from toolkit.rules.dropped import check_dropped
from toolkit.rules.registry import CheckContext

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from simulate import simulate, to_traditional  # noqa: E402

CORPUS = sorted((ROOT / "bench" / "corpus").glob("*.txt"))


def test_lexicon_tables() -> None:
    lexicon = get_lexicon()
    assert jieba_dictionary().is_file()
    assert lexicon.to_simplified("問題") == "问题"
    assert lexicon.word_logp("问题") > lexicon.word_logp("问")
    assert lexicon.segment("逾期问也")[1] == [2, 3, 4]
    assert "措施" in lexicon.heads["措"]


def test_cache_dir_override(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("TOOLKIT_CACHE", str(tmp_path))
    assert cache_dir() == tmp_path


def test_listed_forms() -> None:
    patterns = dropped.load_patterns()
    cases = {
        "逾期問也逐漸顯現": "問題",
        "逾期问也逐渐显现": "问题",
        "在享受借款便利的忽視了後果": "的同時，忽視",
        "採取了措，加強了管理": "措施",
    }
    for text, restored in cases.items():
        guesses = dropped.find_dropped(text, patterns, statistical=False)
        assert [g.replacement for g in guesses] == [restored], text


def test_annotations_do_not_hide_words() -> None:
    assert dropped.annotation_free("問(wèn)題") == ("問題", [0, 6])
    assert dropped.find_dropped("逾期問(wèn)題也", dropped.load_patterns()) == []


def test_statistical_detector_restores_word_half() -> None:
    (guess,) = dropped.find_dropped("公司的研也在進行", ())
    assert guess.replacement == "研究" and "研究" in guess.suggestions
    assert dropped.find_dropped("投研能力強", ()) == []


def test_a_transliterated_name_is_no_drop() -> None:
    """``什`` of 凯莱什 is almost always half of 什么, but next to a name's middle dot it is a sound."""
    assert dropped.find_dropped("据卫生部长凯莱什·贾古特帕尔介绍", ()) == []
    assert [g.replacement for g in dropped.find_dropped("公司的研也在进行", ())] == ["研究"]


@pytest.mark.parametrize("text", ["晚饭是清炒时蔬和米饭。", "晚飯是清炒時蔬和米飯。"])
def test_a_rare_dictionary_word_is_no_drop(text: str) -> None:
    """``时蔬`` is in jieba's dictionary too rarely for the lexicon; its ``蔬`` is no half of 蔬菜."""
    assert dropped.find_dropped(text, ()) == []


def test_rule_fix_is_unsafe_insertion(seed_text: str) -> None:
    findings = list(check_dropped(CheckContext(seed_text)))
    fixed = {f.fix.replacement for f in findings}
    assert "問題" in fixed and "的同時，忽視" in fixed


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_no_findings_on_clean_corpus(path: Path) -> None:
    simplified = path.read_text(encoding="utf-8")
    for text in (simplified, to_traditional(simplified)):
        assert list(check_dropped(CheckContext(text))) == []


def test_simulated_drops_are_found() -> None:
    found = total = 0
    for path in CORPUS:
        page = simulate(path.read_text(encoding="utf-8"), 1)
        findings = list(check_dropped(CheckContext(page.text)))
        for kind, start, end in page.labels:
            if kind == "dropped":
                total += 1
                found += any(f.start < end and start < f.end for f in findings)
    assert total and found / total >= 0.7


@pytest.mark.parametrize(
    "text",
    [
        "我想问一下，快递什么时候到？",
        "朋友问我最近还好吗。",
        "他又问：这件衣服有没有小一号的？",
        "不懂的地方问就好，客服很耐心。",
        "店里送错了 2 样东西，每样都要退。",
        "本届双年展在城南举行。双年展的主题是河流，双年展基金会出资。",
        "我問一下價格，他們問了兩次。",
    ],
)
def test_ordinary_text_has_no_dropped_words(text: str) -> None:
    """The verb 问, measure words after numbers and recurring terms are not drops."""
    assert dropped.find_dropped(text, dropped.load_patterns()) == []


@pytest.mark.parametrize(
    ("text", "replacement"),
    [("用戶急於解決逾期問的心理", "問題"), ("這是一個問。", "問題"), ("逾期问也逐渐显现", "问题")],
)
def test_noun_drops_are_still_found(text: str, replacement: str) -> None:
    assert [g.replacement for g in dropped.find_dropped(text, dropped.load_patterns())] == [replacement]


LISTED_DROPS = [
    # (damaged text, the span reported, its restoration) for every listed form and position
    ("採取了有效措，加強了管理", "措", "措施"),
    ("投資時要保持謹的態度", "謹", "謹慎"),
    ("銀行對貸款申請更加審地評估", "審", "審慎"),
    ("有人通過特殊手快速提高分數", "手", "手段"),
    ("這是防範風險的重要手。", "手", "手段"),
    ("利用科技手降低服務成本", "手", "手段"),
    ("它給多家庭帶來了便利", "多", "很多"),
    ("琳琅滿目的產品讓多投資者眼花繚亂", "多", "很多"),
    ("解除合同。多理賠糾紛由此產生", "多", "很多"),
    ("信用卡已經成為多年輕人日常消費的工具", "多", "很多"),
    ("在享受借款便利的忽視了後果", "的忽視", "的同時，忽視"),
    ("與此也有一部分購房者選擇觀望", "與此也", "與此同時，也"),  # spans cover the gap
    ("与此，监管也在加强", "与此，", "与此同时，"),
    ("大家在享受便利的保護好自己的資金", "的保護好", "的同時，保護好"),
    ("不要輕信陌生 和鏈接", " ", "電話"),
    ("逾期以後催收 也會隨之而來", " ", "電話"),
    ("一些機構採用 轟炸等方式催收", " ", "電話"),
    ("不要輕信陌生和鏈接", "陌生和", "陌生電話和"),  # the blank is gone too (NFKC, whitespace collapsed)
    ("逾期後催收也會打給家人", "催收也會", "催收電話也會"),  # no blank, a verb only a telephone takes
    ("骚扰打来的时候不要回拨", "骚扰", "骚扰电话"),
    ("商家使用欺詐手誘導消費", "手", "手段"),  # after a verbal noun (jieba's tag vn)
    ("利用各類手騙取錢財", "手", "手段"),  # after a kind word
    ("有的平台采用非法手，", "手", "手段"),  # after a distinguishing word (tag b)
    ("通過違規的手獲取用戶信息", "手", "手段"),  # the means of 通過
    ("採用不正當的手，", "手", "手段"),
    ("基金規模太小可能面臨清盤問，規模太大", "問", "問題"),  # 清/盤問 untangled into 清盤/問題
    ("自稱是工作人員，打 說受理了投訴", " ", "電話"),  # the blank after a verb that takes it
    ("接到此類 要第一時間掛斷", " ", "電話"),  # after a kind word
    ("公安機關不會通過 辦案", " ", "電話"),  # after a preposition
    ("重要事項不要只在 里說", " ", "電話"),  # inside 在…里
    ("騙子利用短信、 和社交平臺行騙", " ", "電話"),  # a list item lost
    ("不要回撥對方的 ，或者問一句", " ", "電話"),  # after 的
    ("因此受到多上班族的喜愛", "多", "很多"),
    ("租房是多年轻人在城市生活的第一步", "多", "很多"),
    ("只有彼此知道的問?guǎi)六", "問", "問題"),  # a straddle after it, but no damage before
    ("犯罪分子的作案手也在不斷翻新", "手", "手段"),  # after a word that takes it
    ("綜合運用各種方法和手，", "手", "手段"),  # listed with another means
    ("這是他們最常用的手之一", "手", "手段"),  # 手之一: one of several means
    ("詐騙團夥的手五花八門", "手", "手段"),  # before what only a means is
    ("他們不擇手，", "手", "手段"),  # an idiom
    ("通過技術手提高效率", "手", "手段"),  # 手提 is a word, 手提高 is not
    ("基金定投不是一夜暴富的手，而是一種需要耐心的投資", "手", "手段"),  # 不是…的手段，而是
    ("很多人可以通過視頻 讓家人看到", " ", "電話"),  # 視頻電話
    ("要讓貓多喝水，多貓咪平時飲水不足", "多", "很多"),  # 猫/咪: a rare word split in two
    ("增加了約40%。多剛走出校園的年輕人", "多", "很多"),  # an adverb opening a relative clause
    ("古城里的客棧多，價格從100元到1000元", "多", "很多"),  # the predicate of a clause
    ("三、簽合的幾個關鍵條款", "的", "同時的"),  # 合同時 lost 同時: the gap is before 的
    ("在不期有不同的表現", "期", "同時期"),  # 不同時期 lost 同時
    ("以非法佔有為目的，以欺騙為手，騙取錢財", "手", "手段"),  # the frame 以…為手段
    ("他們的手十分隱蔽", "手", "手段"),  # a degree word, then what only a means is
    ("我們要把技術作為手，而不是目標", "手", "手段"),
    ("這個手屢試不爽", "手", "手段"),
    ("為了達到目的不惜一切手", "手", "手段"),
    ("綜合運用多種手和措施，", "手", "手段"),  # 手段和措施
    ("騙子的手并不復雜", "手", "手段"),  # a naive converter writes 并 and 復雜
    ("如何識別冒充客服的詐騙 \n一、常見的手法", " ", "電話"),  # the blank at a line end
    ("只要保持警惕，就能避免多損失", "多", "很多"),  # after a verb that takes a quantity
    ("在享受消費便利的很多人忽視了儲蓄", "的很多人忽視", "的同時，很多人忽視"),  # a subject before 忽視
    ("佔了很大一部分。也要看看有沒有不必要的訂閱", "也", "同時也"),  # 也要看看: take a look
    ("運用技術手?jǐn)r截詐騙", "手", "手段"),  # a straddle right after 手, none before it
    ("很多公司在推行遠程辦公的也在調整考核方式", "的也在", "的同時，也在"),
    ("管理者在關注結果的不應忽視員工的感受", "的不應", "的同時，不應"),
    ("不要一發現問就沒收手機", "問", "問題"),  # the object of 發現, though 就 follows
    ("背后的原因卻多。有的孩子壓力大", "多", "很多"),  # the predicate before 。
    ("孩子有了多有趣的選擇", "多", "很多"),
    ("可以撥打免費的心理援助 。", " ", "電話"),
    ("這是規避監管的手。", "手", "手段"),  # what a means is for, then 的
    ("不要輕易撥打和回覆陌生號碼", "和", "電話和"),  # 撥打 needs an object: 電話 and its blank gone
    ("如果接到，要立即掛斷", "，", "電話，"),
    ("籤合要寫清楚車輛的基本信息", "要", "同時要"),  # 簽合同時，要 lost 同時，
    ("面對市場上多誘人的低價，保持謹慎", "多", "很多"),  # after a place word, before what describes
    ("可以先問自己幾個問：學完要達到什麼水平", "問", "問題"),  # a measure word before, a colon after
    ("警惕電信詐騙新手層出不窮", "新手", "新手段"),  # 新手 (a novice) is an accident of the drop
    ("買房人應當審核實對方身份", "審", "審慎"),  # 審核/實 untangled into 審慎/核實
    ("地方政府在扶持的要加強質量監管", "的要", "的同時，要"),  # a bare 要 opens the second clause
    ("簽合同時要審閱讀條款", "審", "審慎"),  # 審閱 is a word, 審閱讀 is not
    ("一份條理清楚的問清單更容易得到回應", "問", "問題"),  # 問清 (ask clearly) is a word, 問清單 is not
    ("面對這一問，家長和學校都要重視", "問", "問題"),  # after 這一
    ("這幾個手，足以擋住大部分風險", "手", "手段"),  # counted with 個
    ("到營業廳或95598 提交用電申請，2021年起需要3份材料", " ", "電話"),  # a blank after a service number
    ("直播間只留下一個微信號或 ，下播之後就找不到人", " ", "電話"),  # a list item lost after 或
    ("目前多品牌在購車時贈送充電樁", "多", "很多"),  # after 目前
    ("保留好合同、聊天記錄和 錄音，2021年起", " ", "電話"),  # a list item lost after 和
    ("上門看看或者給家屬打個 。一張餐桌", " ", "電話"),  # 打個電話
    ("在多人心中，蘇州園林幾乎就是江南", "多", "很多"),  # 在很多人心中
    ("要掌握必要的知識和自救手，尊重自然", "手", "手段"),
    ("周密計劃、途中的審判斷和遇險時的冷靜", "審", "審慎"),  # 審判 is a word, 審判斷 is not
    ("網課已經成了多家庭的日常", "多", "很多"),  # a quantity after a verb and 了
    ("就能把多風險擋在門外", "多", "很多"),  # the object of 把
    ("沒有保價的，多快遞公司會賠償", "多", "很多"),  # 多快 (how fast) is an accident of the drop
    ("可以撥打郵政業用戶申訴 ，或登錄網站", " ", "電話"),  # jieba's 申诉电话
    ("但詐騙分子也在不斷變換手，防範工作不能放鬆", "手", "手段"),  # the object of 變換
    ("找回的可能性會大多。", "多", "很多"),  # 大很多: 大多 does not end a clause
    ("停放卻成了讓人頭疼的問：單車堆成小山", "問", "問題"),  # after 的, a colon after it
    ("2021年起，乘客可撥打客服 12306，2023年共有3家", " ", "電話"),  # digits are written tight here
    ("在推廣攢錢理念的專家認為，年輕人應該先存錢", "的專", "的同時，專"),  # 在 opens an action (推廣)
    ("在降低門檻的監管并沒有放鬆", "的監", "的同時，監"),
    ("連輔導員都被打了 。”她回憶", " ", "電話"),  # 打了電話
    ("學校要設置公共 或親情電話", " ", "電話"),  # 公共電話
    ("農戶可撥打保護站 報損，工作人員核實", " ", "電話"),  # what 撥打 names needs 電話
    ("醫師周文濤說：“多孩子一天戶外活動不足一小時", "多", "很多"),  # a quoted clause starts
    ("老人習慣用家里的固定 打進來", " ", "電話"),  # 固定電話
    ("從一根 線出發，臨江市正在", " ", "電話"),  # 電話線
    ("一天要接三四百個 。”她說", " ", "電話"),  # counted, before a mark
    ("王秀英接到那通 後，差點就去", " ", "電話"),  # the measure word of a call
    ("在提升接聽效率的中心并不考核話務員", "的中", "的同時，中"),  # 中心 is no frame 的…中
    ("通知房東,在表達訴求的也為日後維權留下依據", "的也", "的同時，也"),  # after a half-width comma
]


@pytest.mark.parametrize(("text", "span", "replacement"), LISTED_DROPS)
def test_every_listed_form_in_every_position(text: str, span: str, replacement: str) -> None:
    (guess,) = dropped.find_dropped(text, dropped.load_patterns(), statistical=False)
    assert (text[guess.start : guess.end], guess.replacement) == (span, replacement)


@pytest.mark.parametrize(("text", "span", "replacement"), LISTED_DROPS)
def test_every_listed_form_in_simplified_text_too(text: str, span: str, replacement: str) -> None:
    """The same damage on a simplified page is restored in simplified characters."""
    simplified = get_lexicon().to_simplified
    (guess,) = dropped.find_dropped(simplified(text), dropped.load_patterns(), statistical=False)
    assert guess.replacement == simplified(replacement)
    assert simplified(text)[guess.start : guess.end] == simplified(span)


@pytest.mark.parametrize(
    "text",
    [
        "今年以來，多家電商推出了分期服務",  # 多家 is a word
        "調查中多數人認為利率偏高",  # 多數 is a word (issue 12)
        "调查中多数人认为利率偏高",
        "多年來，行業一直在變化",
        "這件事有多重要，大家都明白",
        "可以多吃水果，也要多運動",
        "用手機支付很方便",
        "他是一名賽車手，一只手就能換擋",
        "與此相關的政策也已出台。與此同時，銀行也在行動",
        "与此次会议相关的文件，与此前相比有所下降，与此事无关",
        "贷后催收和管理要规范，诈骗和盗窃都是犯罪",
        "在技术方面的提升很明显，在他的提醒下，在这个过程中的注意事项",  # 的 + a verb read as a noun
        "事故导致多人受伤，多地出台政策，与多国签署协议，多部门联合执法",  # the 多 of news
        "好書 正版保障 優質服務 發貨及時",  # blanks between words of a listing
        "第二十二條 註冊審批部門應當及時處理",
        "采取了一系列措施，保持謹慎，審慎經營",
        "客服 小王为您服务，销售 老李",  # a name after the blank, not a lost 電話
        "能不能退款。也要看情况，还要看个人",  # 也要看: it depends
        "问一问老师，再问问家长",
        "握住他的手，举起手来，用手拿，孩子的手很冷",  # hands
        "逾期后催收也会加重负担",  # 催收 is a noun of its own
        "他被警察盤問。老師提問，我的顧問，這門學問，請問，",  # words ending in 問
        "遇到拿不準的情況，多問一句、多等一會。多看、多問、多留證據",  # the adverb 多 before a verb
        "或者問幾個只有本人知道的事",
        "服務(wù)?O胍岣叻謹(jǐn)?shù),並沒有",  # mojibake after 謹, not a lost 慎
        "不是想当然的 ， 我们；免费试用 电脑手机并用",  # spaced punctuation, a listing
        "握住他温暖的手，这不是普通的手，而是一双巧手",  # hands after 的
        "他的手也很冷，手和脚都凉了",
        "配菜有点多，人多，少说话，优惠多多，释放过多，",  # 多 after a degree word, a contrast
        "他们不期而遇，二十四小时不间断",  # 不期, 不间 inside words
        "签合作协议",
        "经过多年努力，发现多处问题，获得多项荣誉，造成多人死亡",  # 多 before a measure or a word
        "他的手并不冷",
        "撥打110報警，接到通知后要立即掛斷。請及時接聽。",  # 掛斷, 接聽 need no object
        "营销新手指南，如何应对手头紧",
        "在北京的不能回家",
        "不要在室內撥打或接聽手機，以免引發危險",  # two verbs share the object 手機
        "2021 年起，乘客可撥打客服 12306，2023 年共有 3 家",  # a page that spaces its digits
        "申請材料審核通過後放款，平台會審核實名信息",  # 審核 is the word here
        "金額大、環節多，任何一個細節出錯都可能；家庭成員多、設備多，或者面積大",  # bare predicates in a series
        "真正把它当作唯一条件的并不多。名额並不多，",  # 不多: not many
        "专家建议，子女平时多打几个电话，多回家看看，主动了解",  # a series of advice with the adverb 多
        "多喝水，多运动，少熬夜",
        "在政策的要求下，在工作的要点上",  # 要求, 要点: nouns
        "二是多倾听、少说教；价格便宜、选择多，但假货不少",  # a contrast; a series of bare predicates
        "拨打 12306 转人工，2021 年起，95598 提交",  # a page that spaces its digits
        "9787512415812 北京航空航天大学出版社，2021年版，共3册",  # an ISBN is no service number
        "法院的审判结果，导致多人受伤",
        "要问清楚再签，请审阅文件后签字",
        "为了多接单、少超时，骑手们加快了速度",  # 为了 is no aspect 了: the adverb 多
        "他跑得多快啊，多快好省地办",
        "市场中多见的骗局，网上多是假的，心中多了一份安心，网络上多变的行情",  # 的 ends a noun phrase (those in Beijing): 不能 only before 忽視, 忘, 放鬆, 只
        "是同期線下觀眾的兩倍多。持續了一年多。",  # more than a quantity
        "關鍵在于一個“防”字。多曬太陽、多看遠處、少盯屏幕",  # a series of advice with the adverb 多
        "在北京工作的人越來越多，在做筆記的體驗上更好，在帶電的水裡泡腳很危險",  # no action 在…的同時
        "他打了 一頓，我打了 三次",
        "他說：“多喝水，多運動。”",  # advice with the adverb 多, quoted
        "一個 人在家，公園 里有人",  # blanks before a noun or a place word's 里
        "他在聊天時總愛加一個 ;-) 表示開玩笑",  # an emoticon, not a mark
        "給家里的老人打一次電話，多聊聊家常，順便講講新聞",  # 多 before a doubled verb is the adverb
        "如果每件都打電話問，一天下來根本忙不過來",  # 打電話問: ask by phone
    ],
)
def test_no_guess_where_the_short_form_is_right(text: str) -> None:
    assert dropped.find_dropped(text, dropped.load_patterns(), statistical=False) == []


@pytest.mark.parametrize(
    "text",
    [
        "，引入第三方?kǔn)C構(gòu)必須經(jīng)過",
        "第三方?kǔn)C(jī)構必須經(jīng)過",
        "秋季學期起?4撕螅鞯亓x務(wù)教育學校陸續",
        "的外賣騎手，段?Ｏ窭现苓@(zhè)樣的外賣騎手",  # a lost byte before a full-width letter
        "可以撥打12305郵政業(yè)用?xiū)?hù)申訴",  # a straddle right after 業
    ],
)
def test_a_character_just_after_a_garbled_run_is_left_to_the_gbk_repairs(text: str) -> None:
    """機 or 義 is garbled before 構 or 務, 業 before 用?xiū): the survivor of the damage is no dropped
    half of a word."""
    assert dropped.find_dropped(text, dropped.load_patterns()) == []


def test_cli_reports_and_restores_listed_drops(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from toolkit.cli import main

    page = tmp_path / "page.txt"
    page.write_text(
        "有人通過特殊手快速提高分數。不要輕信陌生 和鏈接。調查中多數人認為利率偏高。\n", encoding="utf-8"
    )
    runner = CliRunner()
    lint = runner.invoke(main, ["lint", "--isolated", "--select", "ZH301", str(page)])
    assert lint.exit_code == 1
    assert lint.output.count("ZH301") == 2 and "手段" in lint.output and "電話" in lint.output
    safe = runner.invoke(main, ["clean", "--isolated", "--select", "ZH301", str(page)])
    assert safe.output == page.read_text(encoding="utf-8")  # guesses need --unsafe
    unsafe = runner.invoke(main, ["clean", "--isolated", "--unsafe", "--select", "ZH301", str(page)])
    assert (
        unsafe.output == "有人通過特殊手段快速提高分數。不要輕信陌生電話和鏈接。調查中多數人認為利率偏高。\n"
    )


@pytest.mark.parametrize(
    ("text", "span", "replacement"),
    [
        ("風險較高。還要關注基金經理的變動", "還", "同時還"),
        ("风险较高。也要了解专业的就业前景", "也", "同时也"),  # the shared form restores in simplified
        ("遇到來歷不明的 。要提高警惕", " ", "電話"),
        ("可以撥打當地的旅游投訴 。", " ", "電話"),
    ],
)
def test_sentence_start_and_blank_before_punctuation(text: str, span: str, replacement: str) -> None:
    (guess,) = dropped.find_dropped(text, dropped.load_patterns(), statistical=False)
    assert (text[guess.start : guess.end], guess.replacement) == (span, replacement)


def test_line_start_and_ordinary_blanks_stay() -> None:
    for text in ("还要等？\n我是要送单", "检测身体健康状况 。 ”", "我的手很冷"):
        assert dropped.find_dropped(text, dropped.load_patterns(), statistical=False) == [], text


def test_blank_of_zhengxin_after_a_word_that_takes_it() -> None:
    text = "可以查看個人 報告了解情況"
    (guess,) = dropped.find_dropped(text, dropped.load_patterns(), statistical=False)
    assert (text[guess.start : guess.end], guess.replacement) == (" ", "征信")
    assert dropped.find_dropped("工作 報告已提交", dropped.load_patterns(), statistical=False) == []


def test_word_list_modes_and_groups(tmp_path: Path) -> None:
    words = tmp_path / "words.tsv"
    words.write_text("(?P<pre>在[^，。]{1,8})(?P<at>的)(?=保護)\t\\g<pre>的同時，\tfits\n", encoding="utf-8")
    (guess,) = dropped.find_dropped("在享受便利的保護好自己", dropped.load_patterns(words), statistical=False)
    assert (guess.start, guess.end, guess.replacement) == (5, 6, "的同時，")
    modified = tmp_path / "modified.tsv"
    modified.write_text("法(?!律)\t法律\tmodified\n", encoding="utf-8")
    patterns = dropped.load_patterns(modified)
    (guess,) = dropped.find_dropped("違反特殊法的規定", patterns, statistical=False)  # 特殊 modifies
    assert (guess.start, guess.replacement) == (4, "法律")
    assert dropped.find_dropped("他想了個辦法。用這個法", patterns, statistical=False) == []
    bad = tmp_path / "bad.tsv"
    bad.write_text("措\t措施\tsometimes\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="mode must be one of alone, always, fits"):
        dropped.load_patterns(bad)


def test_bad_word_list_is_a_configuration_error_through_the_cli(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from toolkit.cli import main

    (tmp_path / "w.tsv").write_text("措\t措施\tsometimes\n", encoding="utf-8")
    (tmp_path / "toolkit.toml").write_text(
        f'[rules.dropped-character]\nwords = "{tmp_path / "w.tsv"}"\n', encoding="utf-8"
    )
    (tmp_path / "a.txt").write_text("採取了措，\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["lint", "--config", str(tmp_path / "toolkit.toml"), str(tmp_path / "a.txt")]
    )
    assert result.exit_code == 2
    assert "w.tsv:1: mode must be one of" in result.output and "internal error" not in result.output


def test_required_characters_never_skip_a_match() -> None:
    """The characters a listed pattern needs are a sound filter: every match holds them."""
    root = Path(__file__).resolve().parent.parent
    texts = [path.read_text(encoding="utf-8") for path in sorted((root / "bench" / "articles").rglob("*.md"))]
    texts += [simulate(text, seed).text for text in texts[:6] for seed in range(3)]
    patterns = dropped.load_patterns()
    assert all(pattern.needs for pattern in patterns)  # every listed form names a character it needs
    matched = 0
    for text in texts:
        for line in text.split("\n"):
            for pattern in patterns:
                if pattern.pattern.search(line):
                    matched += 1
                    assert pattern.may_match(set(line)), (pattern.pattern.pattern, line)
    assert matched > 20
    skipped = dropped.DroppedPattern(dropped.re.compile("措(?!施)"), "措施", "alone", (frozenset("措"),))
    assert not skipped.may_match(set("加強管理")) and skipped.may_match(set("採取措，"))


@pytest.mark.parametrize(
    ("pattern", "needs"),
    [
        (r"(?<=[個些])問(?![題答])", ("些個", "問")),
        (r"問?題", ("題",)),  # an optional character is not needed
        (r"(?:甲|乙丙)丁", ("乙甲", "丁")),
        (r"[^，]+|x", ()),  # one alternative needs nothing
        (r"(?!不)好", ("好",)),  # a negative lookahead needs nothing
        (r"(?i)abc", ()),
    ],
)
def test_required_chars(pattern: str, needs: tuple[str, ...]) -> None:
    from toolkit.datacache import required_chars

    assert required_chars(pattern) == needs


def test_required_chars_case_folding() -> None:
    from toolkit.datacache import required_chars

    assert required_chars(r"x(?i:abc)") == ("x",)


@pytest.mark.parametrize(
    "text",
    [
        "牢記“查備案、選渠道、看標籤、驗批號”這幾個步驟",  # one-character verbs and their objects
        "辦理上一年度的綜合所得匯算清繳",  # 年度: a word with its neighbour, which 上一年 took
        "應當堅持藏糧于地、藏糧于技，在推廣新技術時",  # a repeated frame
        "這是一次愉快的體(ti)驗。",  # 體驗 across an annotation that could not be verified
    ],
)
def test_the_statistical_detector_reads_lists_and_words_a_longer_word_split(text: str) -> None:
    assert dropped.find_dropped(text, ()) == []
