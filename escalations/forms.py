from django import forms

from .choices import CustomerTier


class CustomerSearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False,
                        widget=forms.TextInput(attrs={"type": "search"}))
    tier = forms.ChoiceField(choices=[("", "Any tier"), *CustomerTier.choices], required=False)


class EraseForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False,
        help_text="Why, e.g. the request's reference. Kept in the audit history: "
                  "no personal data here.")
