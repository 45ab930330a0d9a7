from django.shortcuts import render

from core.web_forms import page_reader


@page_reader("integrations.view_integration")
def integration_list(request):
    return render(request, "integrations/index.html", {})
