package org.budayang.core.device.internal.idcard;

/**
 * Ethnicity as written on the card: the 2-digit national code (GB 3304), and its name when known.
 *
 * @param code the 2-digit code as read, e.g. {@code 01}
 * @param name the name, e.g. 汉; {@code null} for a code outside 01..56 (passed through)
 */
public record Ethnicity(String code, String name) {

    private static final String[] NAMES = {
        "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜",
        "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳",
        "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
        "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米",
        "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
        "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺"
    };

    public Ethnicity {
        if (code == null) {
            throw new NullPointerException("code");
        }
    }

    /** The ethnicity of a code; codes 01..56 get their name, others are passed through. */
    public static Ethnicity ofCode(String code) {
        String name = null;
        if (code.length() == 2 && Character.isDigit(code.charAt(0)) && Character.isDigit(code.charAt(1))) {
            int n = Integer.parseInt(code);
            if (n >= 1 && n <= NAMES.length) {
                name = NAMES[n - 1];
            }
        }
        return new Ethnicity(code, name);
    }

    @Override
    public String toString() {
        return name == null ? code : name + "(" + code + ")";
    }
}
