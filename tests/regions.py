"""Regions written out for the tests (R10), not read from the code: the city's ten districts and zones, and a county
fund's one county."""

from loanfund.domain.eligibility import District, Region

CITY_DISTRICTS = (
    District("haizhou", "海州区", "320706", "3207"),
    District("lianyun", "连云区", "320703", "3207"),
    District("ganyu", "赣榆区", "320707", "3207"),
    District("donghai", "东海县", "320722", "3207"),
    District("guanyun", "灌云县", "320723", "3207"),
    District("guannan", "灌南县", "320724", "3207"),
    District("etdz", "连云港经济技术开发区", None, "3207"),
    District("hitech", "连云港高新技术产业开发区", None, "3207"),
    District("xuwei", "徐圩新区", None, "3207"),
    District("yuntaishan", "云台山风景名胜区", None, "3207"),
)
CITY = Region("连云港市", "3207", CITY_DISTRICTS)
DONGHAI = Region("东海县", "320722", (CITY_DISTRICTS[3],))
