package org.budayang.sandbox.internal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Made-up but realistic department records, the same for the same person every time: a small
 * table for the demo ID numbers (so that demos show a coherent person) and, for anyone else,
 * values derived from a hash of the ID number. The answer's shape is what
 * {@code HttpRecordSource} in core.cases reads: labelled lines and tables, both in Chinese and
 * English.
 */
final class SandboxRecords {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter DAY = DateTimeFormatter.ISO_LOCAL_DATE;
    private static final DateTimeFormatter MONTH = DateTimeFormatter.ofPattern("yyyy-MM");

    /** What a demo person's departments know beyond numbers. */
    record Profile(String city, String province, String district, String employer, String address, boolean retired) {
    }

    static final Map<String, Profile> DEMO = Map.of(
            "440305198808081234", new Profile("深圳市", "粤", "南山区", "深圳市南山区云帆科技有限公司",
                    "深圳市南山区粤海街道科苑路18号云帆花园3栋1502", false),
            "11010519491231002X", new Profile("北京市", "京", "朝阳区", "北京第二机床厂（已退休）",
                    "北京市朝阳区劲松街道劲松八区805楼2单元301", true),
            "310115197001010011", new Profile("上海市", "沪", "浦东新区", "上海浦江港务物流有限公司",
                    "上海市浦东新区花木街道锦绣路1500弄12号602室", false));

    private static final List<Profile> OTHERS = List.of(
            new Profile("广州市", "粤", "天河区", "广州天河智造电子有限公司", "广州市天河区石牌街道华师路7号8栋702", false),
            new Profile("西安市", "陕", "雁塔区", "西安曲江文旅发展有限公司", "西安市雁塔区小寨路街道长安中路66号2单元1101", false),
            new Profile("太原市", "晋", "小店区", "山西汾河数据服务有限公司", "太原市小店区亲贤北街99号5号楼1603", false),
            new Profile("合肥市", "皖", "蜀山区", "合肥蜀山新材料科技有限公司", "合肥市蜀山区长江西路188号4幢902", false));

    /** The documents' titles as each department names them, by item code. */
    private static final Map<String, String[]> TITLES = Map.ofEntries(
            Map.entry("000183001001", new String[] { "住房公积金个人账户信息", "Housing provident fund account statement" }),
            Map.entry("000183001002", new String[] { "住房公积金缴存证明", "Housing provident fund deposit certificate" }),
            Map.entry("000166001001", new String[] { "医疗保障参保凭证", "Medical insurance record" }),
            Map.entry("000166001002", new String[] { "医保个人账户余额查询结果", "Medical insurance account balance" }),
            Map.entry("000166001003", new String[] { "基本医疗保险参保证明", "Proof of basic medical insurance" }),
            Map.entry("000177001001", new String[] { "不动产登记信息查询结果", "Real estate registration record" }),
            Map.entry("000177001002", new String[] { "不动产权属证明", "Real estate ownership certificate" }),
            Map.entry("000177001003", new String[] { "不动产登记办理结果", "Real estate registration result" }),
            Map.entry("000122001004", new String[] { "中华人民共和国税收完税证明", "Tax payment certificate of the PRC" }),
            Map.entry("000122001006", new String[] { "涉税信息查询结果", "Tax record statement" }),
            Map.entry("000155001001", new String[] { "交通违法记录查询结果", "Traffic violation record" }),
            Map.entry("000155001002", new String[] { "驾驶证记分查询结果", "Driving licence penalty points" }));

    private SandboxRecords() {
    }

    /** The records answer, or empty when this department knows nothing about the person. */
    static Optional<ObjectNode> records(String department, String idNumber, String item, LocalDate today) {
        SplittableRandom r = new SplittableRandom(seed(department + "/" + idNumber));
        Profile p = DEMO.get(idNumber);
        if (p == null) {
            p = OTHERS.get(r.nextInt(OTHERS.size()));
            // Not everybody owns a home: a quarter of the non-demo people have no registration.
            if (department.equals("realestate") && r.nextInt(4) == 0) {
                return Optional.empty();
            }
        }
        Answer a = new Answer();
        int birthYear = Integer.parseInt(idNumber.substring(6, 10));
        switch (department) {
            case "housingfund" -> housingFund(a, r, p, idNumber, item, today);
            case "medical" -> medical(a, r, p, birthYear, item, today);
            case "realestate" -> realEstate(a, r, p, idNumber, item, today);
            case "tax" -> tax(a, r, p, idNumber, item, today);
            case "traffic" -> traffic(a, r, p, idNumber, item, today);
            default -> {
                return Optional.empty();
            }
        }
        String[] title = TITLES.get(item);
        if (title != null) {
            a.root.putObject("title").put("zh", title[0]).put("en", title[1]);
        }
        a.root.put("department", department);
        a.root.put("item", item);
        a.root.put("asOf", DAY.format(today));
        return Optional.of(a.root);
    }

    // ---- departments ------------------------------------------------------------------------

    private static void housingFund(Answer a, SplittableRandom r, Profile p, String id, String item, LocalDate today) {
        int base = p.retired() ? 0 : 8000 + 500 * r.nextInt(20);
        double monthly = base * 0.12 * 2;
        YearMonth paidUpTo = YearMonth.from(today).minusMonths(1);
        a.line("个人账号", "Account no.", "HF" + digits(r, 10));
        a.line("单位名称", "Employer", p.employer());
        a.line("账户状态", "Account status", p.retired() ? "封存（已退休） Sealed (retired)" : "正常缴存 Active");
        a.line("开户日期", "Opened on", DAY.format(LocalDate.of(Math.max(1999, Integer.parseInt(id.substring(6, 10)) + 22), 1 + r.nextInt(12), 1 + r.nextInt(28))));
        if (!p.retired()) {
            a.line("缴存基数", "Deposit base", money(base));
            a.line("缴存比例", "Deposit rate", "单位 12% + 个人 12% (employer + employee)");
            a.line("月缴存额", "Monthly deposit", money(monthly));
            a.line("缴至年月", "Paid up to", MONTH.format(paidUpTo));
        }
        a.line("账户余额", "Balance", money(20000 + r.nextInt(180000) + r.nextInt(100) / 100.0));
        if (item.equals("000183001002") && !p.retired()) {
            Table t = a.table("近12个月缴存明细", "Deposits in the last 12 months",
                    "缴存年月", "Month", "单位缴存", "Employer", "个人缴存", "Employee", "合计", "Total");
            for (int i = 11; i >= 0; i--) {
                t.row(MONTH.format(paidUpTo.minusMonths(i)), plain(monthly / 2), plain(monthly / 2), plain(monthly));
            }
        }
    }

    private static void medical(Answer a, SplittableRandom r, Profile p, int birthYear, String item, LocalDate today) {
        int base = 6000 + 500 * r.nextInt(24);
        int firstYear = Math.max(1998, birthYear + 22);
        a.line("医保编号", "Insurance no.", p.province().equals("粤") ? "44" + digits(r, 12) : digits(r, 14));
        a.line("参保地", "Insured in", p.city() + p.district());
        a.line("险种", "Scheme", p.retired() ? "职工基本医疗保险（退休） Employee basic medical insurance (retired)"
                : "职工基本医疗保险 Employee basic medical insurance");
        a.line("参保状态", "Status", p.retired() ? "正常享受待遇 Receiving benefits" : "参保缴费 Contributing");
        a.line("首次参保日期", "First enrolled", DAY.format(LocalDate.of(firstYear, 1 + r.nextInt(12), 1)));
        a.line("累计缴费月数", "Months paid in total", String.valueOf(Math.min(480, (today.getYear() - firstYear) * 12)));
        switch (item) {
            case "000166001002" -> {
                a.line("个人账户余额", "Personal account balance", money(1000 + r.nextInt(30000) + r.nextInt(100) / 100.0));
                a.line("本年划入", "Credited this year", money(base * 0.02 * today.getMonthValue()));
            }
            case "000166001001" -> {
                if (!p.retired()) {
                    Table t = a.table("近6个月缴费记录", "Contributions in the last 6 months",
                            "费款所属期", "Month", "缴费基数", "Base", "单位缴费", "Employer", "个人缴费", "Employee");
                    for (int i = 6; i >= 1; i--) {
                        t.row(MONTH.format(YearMonth.from(today).minusMonths(i)), plain(base), plain(base * 0.05), plain(base * 0.02));
                    }
                }
            }
            case "000166001003" -> {
                Table t = a.table("近年参保缴费情况", "Contributions by year", "年度", "Year", "缴费月数", "Months paid",
                        "缴费状态", "Status");
                for (int y = today.getYear() - 3; y <= today.getYear(); y++) {
                    int months = y == today.getYear() ? today.getMonthValue() - 1 : 12;
                    t.row(String.valueOf(y), p.retired() ? "0" : String.valueOf(months),
                            p.retired() ? "退休免缴 Exempt (retired)" : "正常 Paid");
                }
            }
            default -> {
            }
        }
    }

    private static void realEstate(Answer a, SplittableRandom r, Profile p, String id, String item, LocalDate today) {
        int year = 2005 + r.nextInt(Math.max(1, today.getYear() - 2005));
        a.line("不动产权证号", "Certificate no.",
                p.province() + "（" + year + "）" + p.city() + "不动产权第" + digits(r, 7) + "号");
        a.line("不动产单元号", "Property unit no.", id.substring(0, 6) + " " + digits(r, 6) + " GB" + digits(r, 5) + " F" + digits(r, 8));
        a.line("坐落", "Location", p.address());
        a.line("共有情况", "Ownership", "单独所有 Sole ownership");
        a.line("权利类型", "Right", "国有建设用地使用权/房屋所有权 Land use right / building ownership");
        a.line("用途", "Use", "住宅 Residential");
        a.line("建筑面积", "Floor area", String.format("%.2f ㎡", 55 + r.nextInt(90) + r.nextInt(100) / 100.0));
        a.line("登记时间", "Registered on", DAY.format(LocalDate.of(year, 1 + r.nextInt(12), 1 + r.nextInt(28))));
        boolean mortgage = !p.retired() && r.nextBoolean();
        a.line("抵押状态", "Mortgage", mortgage ? "已抵押（中国建设银行" + p.city() + "分行） Mortgaged" : "无抵押 None");
        a.line("查封状态", "Seizure", "无查封 None");
        if (item.equals("000177001003")) {
            a.line("最近业务", "Latest application", "抵押权注销登记 Mortgage cancellation");
            a.line("办理状态", "Progress", "已办结 Completed");
        }
    }

    private static void tax(Answer a, SplittableRandom r, Profile p, String id, String item, LocalDate today) {
        a.line("纳税人识别号", "Taxpayer no.", id.substring(0, 6) + "********" + id.substring(14));
        a.line("主管税务机关", "Tax office", "国家税务总局" + p.city() + p.district() + "税务局");
        double monthlyTax = p.retired() ? 0 : 100 + r.nextInt(2400) + r.nextInt(100) / 100.0;
        a.line("本年已缴个人所得税", "Individual income tax paid this year", money(monthlyTax * (today.getMonthValue() - 1)));
        if (item.equals("000122001004") && !p.retired()) {
            Table t = a.table("税收完税明细", "Taxes paid", "税种", "Tax", "所属期", "Period", "入库日期", "Paid on",
                    "实缴金额（元）", "Amount (CNY)");
            for (int i = 6; i >= 1; i--) {
                YearMonth m = YearMonth.from(today).minusMonths(i);
                t.row("个人所得税 IIT", MONTH.format(m), DAY.format(m.plusMonths(1).atDay(15)), plain(monthlyTax));
            }
        }
    }

    private static void traffic(Answer a, SplittableRandom r, Profile p, String id, String item, LocalDate today) {
        a.line("驾驶证号", "Licence no.", id.substring(0, 6) + "********" + id.substring(14));
        a.line("准驾车型", "Vehicle classes", p.retired() ? "C2" : "C1");
        LocalDate start = LocalDate.of(today.getYear() - (today.getDayOfYear() < 100 ? 1 : 0), 1 + r.nextInt(3), 1 + r.nextInt(28));
        a.line("记分周期", "Scoring period", DAY.format(start) + " 至 " + DAY.format(start.plusYears(1).minusDays(1)));
        int points = r.nextInt(3) * 3;
        a.line("累积记分", "Penalty points", points + " 分");
        a.line("未处理违法", "Unprocessed violations", points == 0 ? "0 起 None" : "1 起");
        if (points > 0) {
            Table t = a.table("违法记录", "Violations", "时间", "When", "地点", "Where", "行为", "What", "记分", "Points");
            t.row(DAY.format(today.minusDays(20 + r.nextInt(60))), p.city() + p.district(), "机动车违反禁止标线指示",
                    String.valueOf(points));
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static final class Answer {
        final ObjectNode root = JSON.createObjectNode();
        final ArrayNode lines = root.putArray("lines");
        final ArrayNode tables = root.putArray("tables");

        void line(String zh, String en, String value) {
            ObjectNode l = lines.addObject();
            ObjectNode label = l.putObject("label");
            label.put("zh", zh);
            label.put("en", en);
            l.put("value", value);
        }

        Table table(String zh, String en, String... columns) {
            ObjectNode t = tables.addObject();
            t.putObject("caption").put("zh", zh).put("en", en);
            ArrayNode cols = t.putArray("columns");
            for (int i = 0; i < columns.length; i += 2) {
                cols.addObject().put("zh", columns[i]).put("en", columns[i + 1]);
            }
            return new Table(t.putArray("rows"));
        }
    }

    private record Table(ArrayNode rows) {
        void row(String... cells) {
            ArrayNode row = rows.addArray();
            for (String c : cells) {
                row.add(c);
            }
        }
    }

    private static long seed(String text) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(("budayang-sandbox:" + text).getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(h).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String digits(SplittableRandom r, int n) {
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append((char) ('0' + r.nextInt(10)));
        }
        return b.toString();
    }

    private static String money(double yuan) {
        return String.format("%,.2f 元", yuan);
    }

    private static String plain(double yuan) {
        return String.format("%,.2f", yuan);
    }
}
