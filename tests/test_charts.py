import pandas as pd
import pytest

from ecom import charts

DAYS = pd.date_range("2024-03-01", periods=3, freq="D")


def test_line_money_axis_and_title():
    df = pd.DataFrame({"period": DAYS, "gmv": [1.0, 2.0, 3.0]})
    fig = charts.line(df, "period", "gmv", "GMV per day, 2024-03-01 – 2024-03-03", "money", "$")
    assert fig.layout.title.text == "GMV per day, 2024-03-01 – 2024-03-03"
    assert len(fig.data) == 1 and fig.data[0].type == "scatter" and list(fig.data[0].y) == [1, 2, 3]
    assert fig.layout.yaxis.tickprefix == "$" and fig.layout.yaxis.tickformat == ",.0f"
    assert fig.layout.template.layout.colorway[0] == charts.COLORS[0]


def test_line_split_by_colour_is_one_trace_per_value():
    df = pd.DataFrame({"period": list(DAYS) * 2, "share": [0.1] * 6, "brand": ["X"] * 3 + ["Y"] * 3})
    fig = charts.line(df, "period", "share", "Brand share", "percent", color="brand", area=True, stacked=True)
    assert [t.name for t in fig.data] == ["X", "Y"] and fig.data[0].stackgroup == "one"
    assert fig.layout.yaxis.tickformat == ".0%"


def test_horizontal_bar_lists_largest_first():
    df = pd.DataFrame({"key": ["a", "b"], "gmv": [5.0, 3.0]})
    fig = charts.bar(df, "key", "gmv", "Top products by GMV", horizontal=True)
    assert fig.data[0].orientation == "h" and list(fig.data[0].y) == ["a", "b"]
    assert fig.layout.yaxis.autorange == "reversed" and fig.layout.xaxis.tickprefix == "¥"


def test_anomaly_chart_marks_flagged_days():
    df = pd.DataFrame({"day": DAYS, "gmv": [1.0, 9.0, 1.0], "median": [1.0] * 3, "anomaly": [False, True, False]})
    fig = charts.anomalies(df, "gmv", "GMV per day with unusual days")
    assert [len(t.x) for t in fig.data] == [3, 3, 1] and fig.data[2].y[0] == 9.0


def test_pareto_heatmap_funnel_pie():
    p = charts.pareto(pd.DataFrame({"product_share": [0, 0.5, 1], "cum_share": [0, 0.9, 1]}), "Pareto")
    assert [t.type for t in p.data] == ["scatter", "scatter"] and list(p.data[1].y) == [0.8, 0.8]
    cohorts = pd.DataFrame({"cohort": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-02-01"]), "k": [0, 1, 0], "retention": [1.0, 0.5, 1.0]})
    h = charts.heatmap(cohorts, "Retention by monthly cohort")
    assert h.data[0].type == "heatmap" and list(h.data[0].y) == ["2024-01", "2024-02"]
    assert h.data[0].text[0] == ["100%", "50%"] and h.data[0].text[1][1] == ""
    f = charts.funnel(pd.DataFrame({"step": ["view", "cart"], "customers": [10, 4]}), "Funnel", {"view": "浏览"})
    assert f.data[0].type == "funnel" and list(f.data[0].y) == ["浏览", "cart"]
    assert charts.pie(pd.DataFrame({"k": ["a"], "v": [1]}), "k", "v", "Share").data[0].type == "pie"


@pytest.mark.parametrize(("chart", "trace"), [("bar", "bar"), ("line", "scatter"), ("area", "scatter"), ("scatter", "scatter"), ("pie", "pie")])
def test_explore_chart_types(chart, trace):
    df = pd.DataFrame({"x": ["a", "b", "a"], "value": [1, 2, 3], "color": ["u", "u", "v"]})
    fig = charts.explore(df, chart, "Sum of revenue by category", x_time=False)
    assert fig.data[0].type == trace and fig.layout.title.text == "Sum of revenue by category"
    assert len(fig.data) == (1 if chart == "pie" else 2)
